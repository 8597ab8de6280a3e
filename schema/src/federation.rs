//! Federation `_entities`: a router sends a batch of representations, and one it cannot use
//! must not fail the others.
//!
//! async-graphql resolves the batch all or nothing: an error from one entity resolver
//! becomes the error of the whole `_entities` field. So the entity resolvers never fail on
//! a malformed id: they answer `null` for it and add an error at its own path
//! (`["_entities", <index>]`), found by looking the representation up in the field's
//! `representations` argument. Identical malformed representations each get their error,
//! at their own index (`RequestData::entity_reports` remembers which were reported).
//!
//! This module depends on `crate::context` (for the request's data), never the reverse.

use crate::context::ContextExt;
use crate::error::ApiError;
use async_graphql::{Context, ID, PathSegment, Value};
use uuid::Uuid;

/// The UUID of representation `{ __typename: typename, id }`; for a malformed id, `None`
/// and an error at that representation's path.
pub fn entity_id(ctx: &Context<'_>, typename: &str, id: &ID) -> Option<Uuid> {
    match Uuid::parse_str(id.as_str()) {
        Ok(uuid) => Some(uuid),
        Err(_) => {
            report_malformed(ctx, typename, id);
            None
        }
    }
}

fn report_malformed(ctx: &Context<'_>, typename: &str, id: &ID) {
    let pos = ctx.item.pos;
    let key = ctx.item.node.response_key().node.to_string();
    let indices = matching_indices(ctx, typename, id);
    let index = match ctx.request() {
        Ok(request) => request
            .entity_reports
            .first_unreported((pos.line, pos.column), indices),
        Err(_) => indices.first().copied(),
    };
    let message = format!("{typename}: `id` is not a valid id (expected a UUID)");
    let mut error = async_graphql::Error::from(ApiError::bad_input(message)).into_server_error(pos);
    error.path = vec![PathSegment::Field(key)];
    if let Some(index) = index {
        error.path.push(PathSegment::Index(index));
    }
    ctx.add_error(error);
}

/// Where `{ __typename: typename, id }` appears in the field's `representations`.
fn matching_indices(ctx: &Context<'_>, typename: &str, id: &ID) -> Vec<usize> {
    let Ok((_, representations)) =
        ctx.param_value::<Vec<async_graphql::Any>>("representations", None)
    else {
        return Vec::new();
    };
    representations
        .iter()
        .enumerate()
        .filter(|(_, representation)| {
            let Value::Object(fields) = &representation.0 else {
                return false;
            };
            let same_type =
                matches!(fields.get("__typename"), Some(Value::String(t)) if t == typename);
            let same_id = match fields.get("id") {
                Some(Value::String(s)) => s == id.as_str(),
                Some(Value::Number(n)) => n.to_string() == id.as_str(),
                _ => false,
            };
            same_type && same_id
        })
        .map(|(index, _)| index)
        .collect()
}
