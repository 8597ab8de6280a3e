//! Staff (issue 18): staff are customers with a `staff_members` row (INVITED, ACTIVE or
//! DEACTIVATED) holding any number of roles (`staff_member_roles`); invitations are single-use
//! tokens stored as SHA-256 (`staff_invitations`). `staff_roles` gains `updated_at`.
//!
//! Data: every customer with a `staff_role_id` becomes an ACTIVE member holding that role, and
//! the column is set to NULL. It stays in the table because SQLite cannot drop a column that
//! takes part in a foreign key; nothing reads or writes it any more.

use crate::{create_indexes, drop_tables, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(StaffRoles::Table)
                    .add_column(timestamp_with_time_zone_null(StaffRoles::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StaffMembers::Table)
                    .col(pk_uuid(StaffMembers::CustomerId))
                    .col(string_len(StaffMembers::Status, 16))
                    .col(uuid_null(StaffMembers::InvitedBy))
                    .col(timestamp_with_time_zone(StaffMembers::CreatedAt))
                    .col(timestamp_with_time_zone(StaffMembers::UpdatedAt))
                    .col(timestamp_with_time_zone_null(StaffMembers::DeactivatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_staff_members_customer")
                            .from(StaffMembers::Table, StaffMembers::CustomerId)
                            .to(Customers::Table, Customers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StaffMemberRoles::Table)
                    .col(uuid(StaffMemberRoles::CustomerId))
                    .col(uuid(StaffMemberRoles::RoleId))
                    .primary_key(
                        Index::create()
                            .col(StaffMemberRoles::CustomerId)
                            .col(StaffMemberRoles::RoleId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_staff_member_roles_staff_member")
                            .from(StaffMemberRoles::Table, StaffMemberRoles::CustomerId)
                            .to(StaffMembers::Table, StaffMembers::CustomerId)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_staff_member_roles_staff_role")
                            .from(StaffMemberRoles::Table, StaffMemberRoles::RoleId)
                            .to(StaffRoles::Table, StaffRoles::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StaffInvitations::Table)
                    .col(string_len(StaffInvitations::TokenHash, 64).primary_key())
                    .col(uuid(StaffInvitations::CustomerId))
                    .col(timestamp_with_time_zone(StaffInvitations::ExpiresAt))
                    .col(timestamp_with_time_zone_null(StaffInvitations::UsedAt))
                    .col(timestamp_with_time_zone(StaffInvitations::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_staff_invitations_customer")
                            .from(StaffInvitations::Table, StaffInvitations::CustomerId)
                            .to(Customers::Table, Customers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            [
                index(
                    "idx_staff_member_roles_role_id",
                    StaffMemberRoles::Table,
                    [StaffMemberRoles::RoleId],
                ),
                index(
                    "idx_staff_invitations_customer_id",
                    StaffInvitations::Table,
                    [StaffInvitations::CustomerId],
                ),
            ],
        )
        .await?;
        let db = manager.get_connection();
        for statement in [
            "UPDATE staff_roles SET updated_at = created_at",
            "INSERT INTO staff_members (customer_id, status, invited_by, created_at, updated_at, deactivated_at) \
             SELECT id, 'ACTIVE', NULL, created_at, updated_at, NULL FROM customers \
             WHERE staff_role_id IS NOT NULL",
            "INSERT INTO staff_member_roles (customer_id, role_id) \
             SELECT id, staff_role_id FROM customers WHERE staff_role_id IS NOT NULL",
            "UPDATE customers SET staff_role_id = NULL WHERE staff_role_id IS NOT NULL",
        ] {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Back to one role per staff account: an ACTIVE member keeps the first of their roles;
        // invited and deactivated members become plain customers.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE customers SET staff_role_id = (\
                 SELECT r.role_id FROM staff_member_roles r \
                 JOIN staff_members m ON m.customer_id = r.customer_id \
                 WHERE r.customer_id = customers.id AND m.status = 'ACTIVE' \
                 ORDER BY r.role_id LIMIT 1)",
            )
            .await?;
        drop_tables(
            manager,
            [
                StaffInvitations::Table.into_iden(),
                StaffMemberRoles::Table.into_iden(),
                StaffMembers::Table.into_iden(),
            ],
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(StaffRoles::Table)
                    .drop_column(StaffRoles::UpdatedAt)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum StaffMembers {
    Table,
    CustomerId,
    Status,
    InvitedBy,
    CreatedAt,
    UpdatedAt,
    DeactivatedAt,
}

#[derive(DeriveIden)]
enum StaffMemberRoles {
    Table,
    CustomerId,
    RoleId,
}

#[derive(DeriveIden)]
enum StaffInvitations {
    Table,
    TokenHash,
    CustomerId,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

/// Created by earlier migrations; named here so this file does not depend on them.
#[derive(DeriveIden)]
enum StaffRoles {
    Table,
    Id,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Customers {
    Table,
    Id,
}
