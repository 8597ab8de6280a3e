//! Public ids are UUIDs; this is the single place that parses them from client input.

use crate::error::{ApiError, ApiResult};
use async_graphql::ID;
use uuid::Uuid;

/// Parses a GraphQL `ID` as a UUID, naming the offending argument on failure.
pub fn parse_id(id: &ID, argument: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(id.as_str()).map_err(|_| {
        ApiError::bad_input(format!("`{argument}` is not a valid id (expected a UUID)"))
    })
}

/// Parses a list of ids, failing on the first invalid one.
pub fn parse_ids(ids: &[ID], argument: &str) -> ApiResult<Vec<Uuid>> {
    ids.iter().map(|id| parse_id(id, argument)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_non_uuid_ids() {
        assert!(parse_id(&ID::from("not-a-uuid"), "id").is_err());
        assert!(parse_id(&ID::from("0192a8f0-0000-7000-8000-000000000000"), "id").is_ok());
    }
}
