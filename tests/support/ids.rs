//! Typed ids of what tests create, so a variant id cannot be passed where a product's goes.
//! GraphQL `ID`s of these objects are their UUIDs: `to_string()` gives the `ID`.

use serde_json::Value;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn uuid(self) -> Uuid {
                self.0
            }

            /// The id in a response (`order["id"]`); fails the test when it is not one.
            pub fn of(value: &Value) -> Self {
                let text = value
                    .as_str()
                    .unwrap_or_else(|| panic!("not an id: {value}"));
                Self(
                    text.parse()
                        .unwrap_or_else(|e| panic!("not an id: {text}: {e}")),
                )
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<$name> for Value {
            fn from(id: $name) -> Value {
                Value::String(id.to_string())
            }
        }

        impl PartialEq<$name> for Value {
            fn eq(&self, id: &$name) -> bool {
                self.as_str() == Some(id.to_string().as_str())
            }
        }
    };
}

id_type!(ProductId);
id_type!(VariantId);
id_type!(WarehouseId);
id_type!(CartId);
id_type!(OrderId);
