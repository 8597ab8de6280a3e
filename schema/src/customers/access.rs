//! Where an account stands with the staff, and what a staff member may do right now: the union
//! of their roles' permissions, held only while their membership is ACTIVE. Read at sign-in
//! and refresh (the access token carries the result), by account services (a staff member's
//! account cannot be deleted) and by the staff rules inside their units of work.

use crate::customers::permissions::Permission;
use crate::error::ApiResult;
use entities::enums::StaffStatus;
use entities::{staff_member, staff_member_role, staff_role};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::{BTreeSet, HashMap};
use uuid::Uuid;

/// Where an account stands with the staff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Not a staff member: a customer.
    Customer,
    /// An ACTIVE staff member and what their roles allow.
    Staff(BTreeSet<Permission>),
    /// A staff member who may not sign in: still INVITED, or DEACTIVATED.
    Inactive(StaffStatus),
}

impl Standing {
    /// The permissions an access token carries: `None` for anyone but active staff.
    pub fn permissions(self) -> Option<BTreeSet<Permission>> {
        match self {
            Standing::Staff(permissions) => Some(permissions),
            _ => None,
        }
    }

    /// Why sign-in is refused to this account, if it is: told only after the password
    /// matched, so it says nothing to someone guessing.
    pub fn sign_in_refusal(&self) -> Option<&'static str> {
        match self {
            Standing::Inactive(StaffStatus::Invited) => {
                Some("this staff account's invitation has not been accepted yet")
            }
            Standing::Inactive(_) => Some("this staff account is deactivated"),
            _ => None,
        }
    }
}

/// The union of the permissions of `roles`.
pub fn union<'a>(roles: impl IntoIterator<Item = &'a staff_role::Model>) -> BTreeSet<Permission> {
    roles
        .into_iter()
        .flat_map(|role| Permission::parse_list(&role.permissions))
        .collect()
}

/// The roles `account` holds (whatever its status).
pub async fn roles_of(
    db: &impl ConnectionTrait,
    account: Uuid,
) -> ApiResult<Vec<staff_role::Model>> {
    Ok(staff_role::Entity::find()
        .inner_join(staff_member_role::Entity)
        .filter(staff_member_role::Column::CustomerId.eq(account))
        .all(db)
        .await?)
}

/// Where `account` stands.
pub async fn standing(db: &impl ConnectionTrait, account: Uuid) -> ApiResult<Standing> {
    let Some(member) = staff_member::Entity::find_by_id(account).one(db).await? else {
        return Ok(Standing::Customer);
    };
    if member.status != StaffStatus::Active {
        return Ok(Standing::Inactive(member.status));
    }
    Ok(Standing::Staff(union(&roles_of(db, account).await?)))
}

/// The permissions `account` holds now (empty unless it is an ACTIVE staff member).
pub async fn permissions_of(
    db: &impl ConnectionTrait,
    account: Uuid,
) -> ApiResult<BTreeSet<Permission>> {
    Ok(standing(db, account)
        .await?
        .permissions()
        .unwrap_or_default())
}

/// The roles of each of `members` (three statements whatever their number).
pub async fn roles_of_many(
    db: &impl ConnectionTrait,
    members: &[Uuid],
) -> ApiResult<HashMap<Uuid, Vec<staff_role::Model>>> {
    let mut held: HashMap<Uuid, Vec<staff_role::Model>> = HashMap::new();
    if members.is_empty() {
        return Ok(held);
    }
    let links: Vec<(Uuid, Uuid)> = staff_member_role::Entity::find()
        .select_only()
        .column(staff_member_role::Column::CustomerId)
        .column(staff_member_role::Column::RoleId)
        .filter(staff_member_role::Column::CustomerId.is_in(members.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    let role_ids: BTreeSet<Uuid> = links.iter().map(|(_, role)| *role).collect();
    let roles: HashMap<Uuid, staff_role::Model> = staff_role::Entity::find()
        .filter(staff_role::Column::Id.is_in(role_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|role| (role.id, role))
        .collect();
    for (member, role) in links {
        if let Some(role) = roles.get(&role) {
            held.entry(member).or_default().push(role.clone());
        }
    }
    for roles in held.values_mut() {
        roles.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(held)
}

/// The permissions of each of `accounts` that is an ACTIVE staff member (others are absent).
pub async fn active_permissions_of_many(
    db: &impl ConnectionTrait,
    accounts: &[Uuid],
) -> ApiResult<HashMap<Uuid, BTreeSet<Permission>>> {
    if accounts.is_empty() {
        return Ok(HashMap::new());
    }
    let active: Vec<Uuid> = staff_member::Entity::find()
        .select_only()
        .column(staff_member::Column::CustomerId)
        .filter(staff_member::Column::CustomerId.is_in(accounts.iter().copied()))
        .filter(staff_member::Column::Status.eq(StaffStatus::Active))
        .into_tuple()
        .all(db)
        .await?;
    let mut roles = roles_of_many(db, &active).await?;
    Ok(active
        .into_iter()
        .map(|id| (id, union(&roles.remove(&id).unwrap_or_default())))
        .collect())
}
