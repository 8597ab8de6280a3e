//! The API versions in the endpoint's path (`/api/{version}/graphql.json`): Shopify names
//! them by year and quarter (`2024-04`). Storefront libraries pin one; the endpoint answers
//! every version from `2023-01` to `2027-01` (the release candidate as of December 2026, which
//! Shopify's own clients already list) the same way — the subset it serves did not change
//! between them — and refuses others, as Shopify refuses a version it does not know.

/// The first and last versions answered, as (year, month).
const FIRST: (u16, u8) = (2023, 1);
const LAST: (u16, u8) = (2027, 1);

/// Whether `version` is one the endpoint answers.
pub fn is_supported(version: &str) -> bool {
    let Some((year, month)) = version.split_once('-') else {
        return false;
    };
    if year.len() != 4 || month.len() != 2 {
        return false;
    }
    let (Ok(year), Ok(month)) = (year.parse::<u16>(), month.parse::<u8>()) else {
        return false;
    };
    // Releases come every quarter: January, April, July, October.
    matches!(month, 1 | 4 | 7 | 10) && (FIRST..=LAST).contains(&(year, month))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarterly_versions_in_range_are_answered() {
        for version in [
            "2023-01", "2023-10", "2024-04", "2025-07", "2026-10", "2027-01",
        ] {
            assert!(is_supported(version), "{version}");
        }
        for version in [
            "2022-10",
            "2027-04",
            "2024-02",
            "2024-4",
            "unstable",
            "",
            "2024-04-01",
            "+202-04",
        ] {
            assert!(!is_supported(version), "{version}");
        }
    }
}
