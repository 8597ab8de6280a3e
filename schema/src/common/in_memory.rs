//! Objects answered from memory in one pass, without a future per field.
//!
//! async-graphql resolves each field of an object as a boxed future of its own (sized like the
//! object's largest field), polls them through a `FuturesUnordered` and merges the answers into
//! a map. That is right for fields that read the database, and heavy for the leaf objects a
//! catalog page is made of: a product grid of 24 products asks for ~1,000 fields, most of them
//! a variant's SKU, a price's amount or an image's URL, values already in memory. A profile of
//! the computed grid put the allocation and copying this costs at about a quarter of the
//! server's time (docs/performance.md).
//!
//! [`InMemory`] wraps such an object. Its type name and schema entry are the wrapped type's
//! (the derive's), so the SDL does not change; only answering differs. It walks the selection
//! set once, asks [`InMemoryObject::field`] for each field, and builds the answer directly.
//! When a selected field is not held in memory (a variant's `product`, which needs a load),
//! or the selection uses something this walk does not handle (a custom directive), the whole
//! object is answered by the derived resolver instead — the same answer, the usual way.

use async_graphql::indexmap::IndexMap;
use async_graphql::indexmap::map::Entry;
use async_graphql::parser::types::{Field, Selection};
use async_graphql::registry::Registry;
use async_graphql::{
    Context, ContextSelectionSet, Name, OutputType, Positioned, ServerResult, Value,
};
use std::borrow::Cow;

/// An object some or all of whose fields can be answered without awaiting anything.
pub trait InMemoryObject: OutputType {
    /// The value of the field `field` selects (its name, arguments and own selection set), or
    /// `None` when that field is not held in memory.
    fn field(&self, field: &Context<'_>) -> Option<Value>;
}

/// An object answered from memory when its selection allows it (see the module comment).
pub struct InMemory<T>(pub T);

impl<T: InMemoryObject> OutputType for InMemory<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        match answer(&self.0, ctx) {
            Some(value) => Ok(value),
            None => self.0.resolve(ctx, field).await,
        }
    }
}

/// The answer for `object` with the selection set of `ctx`, or `None` when some selected field
/// is not held in memory.
pub fn answer<T: InMemoryObject>(object: &T, ctx: &ContextSelectionSet<'_>) -> Option<Value> {
    // Sized for the selection up front (one field per item, fragments aside) rather than grown
    // by doubling: a grid builds a few hundred of these maps.
    let mut answer = IndexMap::with_capacity(ctx.item.node.items.len());
    collect(object, ctx, &mut answer)?;
    // The derived resolver answers null for an object none of whose fields remain (all
    // skipped); so does this one.
    Some(if answer.is_empty() {
        Value::Null
    } else {
        Value::Object(answer)
    })
}

/// The answer for the field `field` selects of an object-typed field: `object`'s fields as
/// the field's own selection set asks, for use inside [`InMemoryObject::field`].
pub fn nested<T: InMemoryObject>(object: &T, field: &Context<'_>) -> Option<Value> {
    answer(
        object,
        &field.with_selection_set(&field.item.node.selection_set),
    )
}

/// A list of objects, each answered as [`nested`] does.
pub fn nested_list<'a, T: InMemoryObject + 'a>(
    objects: impl IntoIterator<Item = &'a T>,
    field: &Context<'_>,
) -> Option<Value> {
    let ctx = field.with_selection_set(&field.item.node.selection_set);
    let items = objects
        .into_iter()
        .map(|object| answer(object, &ctx))
        .collect::<Option<Vec<_>>>()?;
    Some(Value::List(items))
}

fn collect<T: InMemoryObject>(
    object: &T,
    ctx: &ContextSelectionSet<'_>,
    answer: &mut IndexMap<Name, Value>,
) -> Option<()> {
    for selection in &ctx.item.node.items {
        match &selection.node {
            Selection::Field(field) => {
                // `@skip`/`@include` were applied before execution; any other directive is a
                // custom one the derived resolver runs.
                if !field.node.directives.is_empty() {
                    return None;
                }
                let key = field.node.response_key().node.clone();
                let value = if field.node.name.node == "__typename" {
                    Value::String(object.introspection_type_name().into_owned())
                } else {
                    object.field(&ctx.with_field(field))?
                };
                merge(answer, key, value);
            }
            Selection::FragmentSpread(spread) => {
                let fragment = ctx
                    .query_env
                    .fragments
                    .get(&spread.node.fragment_name.node)?;
                let condition = fragment.node.type_condition.node.on.node.as_str();
                if applies(object, ctx, Some(condition)) {
                    collect(
                        object,
                        &ctx.with_selection_set(&fragment.node.selection_set),
                        answer,
                    )?;
                }
            }
            Selection::InlineFragment(fragment) => {
                let condition = fragment
                    .node
                    .type_condition
                    .as_ref()
                    .map(|condition| condition.node.on.node.as_str());
                if applies(object, ctx, condition) {
                    collect(
                        object,
                        &ctx.with_selection_set(&fragment.node.selection_set),
                        answer,
                    )?;
                }
            }
        }
    }
    Some(())
}

/// Whether a fragment with this type condition selects fields of `object`: no condition, the
/// object's own type, or an interface it implements.
fn applies<T: InMemoryObject>(
    object: &T,
    ctx: &ContextSelectionSet<'_>,
    condition: Option<&str>,
) -> bool {
    let Some(condition) = condition else {
        return true;
    };
    let type_name = object.introspection_type_name();
    type_name == condition
        || ctx
            .schema_env
            .registry
            .implements
            .get(type_name.as_ref())
            .is_some_and(|interfaces| interfaces.contains(condition))
}

/// Adds a field's answer under its response key. A key selected twice (directly and through a
/// fragment) names the same field; object answers are merged, as the derived resolver does.
fn merge(answer: &mut IndexMap<Name, Value>, key: Name, value: Value) {
    // One lookup: keys are hashed strings, and a grid adds about a thousand of them.
    let existing = match answer.entry(key) {
        Entry::Vacant(vacant) => {
            vacant.insert(value);
            return;
        }
        Entry::Occupied(occupied) => occupied.into_mut(),
    };
    match existing {
        Value::Object(existing) => {
            if let Value::Object(more) = value {
                for (key, value) in more {
                    merge(existing, key, value);
                }
            }
        }
        Value::List(existing) => {
            if let Value::List(more) = value {
                for (existing, more) in existing.iter_mut().zip(more) {
                    if let (Value::Object(existing), Value::Object(more)) = (existing, more) {
                        for (key, value) in more {
                            merge(existing, key, value);
                        }
                    }
                }
            }
        }
        _ => {}
    }
}
