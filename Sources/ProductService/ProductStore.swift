import Foundation
import GRDB
import RPCShared
import ServiceRuntime

/// The ProductService schema. Queryable values are real columns (ids, foreign keys, status, instants as epoch
/// micros, version); products and policies also keep their full protobuf record in `record`.
enum ProductSchema {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("product.v1") { db in
            try db.execute(sql: """
                CREATE TABLE category (
                    id TEXT PRIMARY KEY,
                    parent_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX category_parent ON category(parent_id);
                CREATE INDEX category_created ON category(created_at, id);

                CREATE TABLE product (
                    id TEXT PRIMARY KEY,
                    category_id TEXT NOT NULL REFERENCES category(id),
                    brand TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    record BLOB NOT NULL
                );
                CREATE INDEX product_created ON product(created_at, id);
                CREATE INDEX product_category ON product(category_id);

                CREATE TABLE variant (
                    sku TEXT PRIMARY KEY,
                    product_id TEXT NOT NULL REFERENCES product(id) ON DELETE CASCADE
                );
                CREATE INDEX variant_product ON variant(product_id);

                CREATE TABLE return_policy (
                    id TEXT PRIMARY KEY,
                    market TEXT NOT NULL,
                    scope INTEGER NOT NULL,
                    category_id TEXT NOT NULL,
                    product_id TEXT NOT NULL,
                    active INTEGER NOT NULL,
                    version INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    record BLOB NOT NULL
                );
                CREATE INDEX return_policy_market ON return_policy(market, active);
                CREATE INDEX return_policy_created ON return_policy(created_at, id);

                CREATE TABLE stock_level (
                    sku TEXT NOT NULL,
                    warehouse_id TEXT NOT NULL,
                    on_hand INTEGER NOT NULL,
                    reserved INTEGER NOT NULL,
                    refurbishing INTEGER NOT NULL,
                    scrapped INTEGER NOT NULL,
                    version INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    PRIMARY KEY (sku, warehouse_id),
                    -- The last line of defence against over-commitment: no transaction can leave stock like this.
                    CHECK (on_hand >= 0 AND reserved >= 0 AND reserved <= on_hand AND refurbishing >= 0 AND scrapped >= 0)
                ) WITHOUT ROWID;

                CREATE TABLE stock_movement (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    sku TEXT NOT NULL,
                    warehouse_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    quantity INTEGER NOT NULL,
                    reference TEXT NOT NULL,
                    note TEXT NOT NULL,
                    at INTEGER NOT NULL
                );
                CREATE INDEX stock_movement_sku ON stock_movement(sku, warehouse_id);

                CREATE TABLE reservation (
                    id TEXT PRIMARY KEY,
                    sku TEXT NOT NULL,
                    warehouse_id TEXT NOT NULL,
                    quantity INTEGER NOT NULL,
                    reference TEXT NOT NULL,
                    status INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    version INTEGER NOT NULL,
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX reservation_open ON reservation(status, expires_at);
                CREATE INDEX reservation_sku ON reservation(sku, status);

                CREATE TABLE product_stats (
                    product_id TEXT PRIMARY KEY,
                    units_sold INTEGER NOT NULL DEFAULT 0,
                    units_returned INTEGER NOT NULL DEFAULT 0,
                    rating_sum INTEGER NOT NULL DEFAULT 0,
                    rating_count INTEGER NOT NULL DEFAULT 0,
                    updated_at INTEGER NOT NULL
                );
                CREATE TABLE product_return_reason (
                    product_id TEXT NOT NULL,
                    reason INTEGER NOT NULL,
                    units INTEGER NOT NULL,
                    PRIMARY KEY (product_id, reason)
                ) WITHOUT ROWID;
                """)
        }
    }
}

/// Row ↔ proto helpers shared by the stores.
enum StoredRecord {
    static func decode<Message: ProtoMessage>(_ row: Row, _ column: String = "record", as: Message.Type) throws -> Message {
        let data: Data = row[column]
        return try data.withUnsafeBytes { try Message(serializedBytes: $0) }
    }

    static func encode(_ message: some ProtoMessage) throws -> Data { Data(try message.serializedBytes()) }

    /// The keyset condition for newest-first lists ordered by (`created_at` DESC, `id` DESC).
    static func before(_ cursor: PageCursor?, createdColumn: String = "created_at", idColumn: String = "id")
        -> (sql: String, arguments: StatementArguments) {
        guard let cursor, let key = Int64(cursor.key) else { return ("1", []) }
        return ("(\(createdColumn) < ? OR (\(createdColumn) = ? AND \(idColumn) < ?))", [key, key, cursor.id])
    }
}
