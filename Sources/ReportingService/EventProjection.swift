import Foundation
import GRDB
import RPCShared
import ServiceRuntime

/// Writes one accepted event into the report tables. Snapshots (the aggregate after the change) replace the
/// current-state rows, unless the event is stale; a case event's timeline entry is an immutable fact keyed by
/// its sequence, so it is recorded even from a stale event: arriving out of order must not lose the moment a
/// case was approved, which the SLA report needs.
enum EventProjection {
    static func apply(_ db: Database, _ envelope: ReportingV1.EventEnvelope, stale: Bool) throws {
        guard let payload = envelope.payload else { return }
        let occurredAt = envelope.occurredAt?.epochMicros ?? 0
        switch payload {
        case .order(let order):
            if !stale { try project(db, order) }
        case .caseEvent(let event):
            if let entry = event.entry, let snapshot = event.snapshot {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO case_history (case_id, sequence, event_type, from_status, to_status, occurred_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [snapshot.id, entry.sequence, entry.eventType.rawValue, entry.fromStatus.rawValue,
                                     entry.toStatus.rawValue, entry.occurredAt?.epochMicros ?? occurredAt])
            }
            if !stale, let snapshot = event.snapshot { try project(db, snapshot) }
        case .refund(let refund):
            if !stale { try project(db, refund, occurredAt: occurredAt) }
        case .feedback(let feedback):
            if !stale { try project(db, feedback) }
        case .shipment(let shipment):
            if !stale { try project(db, shipment) }
        }
    }

    private static func project(_ db: Database, _ order: OrderV1.Order) throws {
        let placedAt = order.placedAt?.epochMicros ?? 0
        try db.execute(sql: """
            INSERT OR REPLACE INTO order_fact (order_id, customer_id, market, currency, placed_at) VALUES (?, ?, ?, ?, ?)
            """, arguments: [order.id, order.customerID, order.market, order.currency, placedAt])
        try db.execute(sql: "DELETE FROM sale_line WHERE order_id = ?", arguments: [order.id])
        for line in order.lines {
            try db.execute(sql: """
                INSERT OR REPLACE INTO sale_line (order_id, order_line_id, product_id, category_id, sku, market, currency, quantity, placed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [order.id, line.id, line.productID, line.categoryID, line.sku, order.market, order.currency,
                                 line.quantity, placedAt])
            try rememberProduct(db, line.productID, category: line.categoryID)
        }
    }

    private static func project(_ db: Database, _ snapshot: OrderV1.Case) throws {
        try db.execute(sql: """
            INSERT OR REPLACE INTO case_fact (case_id, order_id, kind, status, market, currency, created_at, resolved_at, closed_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [snapshot.id, snapshot.orderID, snapshot.kind.rawValue, snapshot.status.rawValue, snapshot.market,
                             snapshot.currency, snapshot.createdAt?.epochMicros ?? 0, snapshot.resolvedAt?.epochMicros,
                             snapshot.closedAt?.epochMicros])
        try db.execute(sql: "DELETE FROM case_line_fact WHERE case_id = ?", arguments: [snapshot.id])
        for line in snapshot.lines {
            try db.execute(sql: """
                INSERT OR REPLACE INTO case_line_fact (case_id, case_line_id, order_line_id, product_id, category_id, reason,
                    issue_category, quantity) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [snapshot.id, line.id, line.orderLineID, line.productID, line.categoryID, line.reason.rawValue,
                                 ReturnReasonIssue.category(for: line.reason).rawValue,
                                 ReturnQuantity.effective(line, caseStatus: snapshot.status)])
            try rememberProduct(db, line.productID, category: line.categoryID)
        }
    }

    private static func project(_ db: Database, _ refund: OrderV1.Refund, occurredAt: Int64) throws {
        let succeededAt: Int64? = refund.status == .succeeded ? (refund.updatedAt?.epochMicros ?? occurredAt) : nil
        try db.execute(sql: """
            INSERT OR REPLACE INTO refund_fact (refund_id, case_id, order_id, currency, amount_minor, status, created_at, succeeded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [refund.id, refund.caseID, refund.orderID, refund.amount?.currency ?? "", refund.amount?.minorUnits ?? 0,
                             refund.status.rawValue, refund.createdAt?.epochMicros ?? occurredAt, succeededAt])
    }

    private static func project(_ db: Database, _ feedback: CustomerV1.Feedback) throws {
        try db.execute(sql: """
            INSERT OR REPLACE INTO feedback_fact (feedback_id, customer_id, order_id, product_id, case_id, rating, sentiment,
                issue_category, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [feedback.id, feedback.customerID, feedback.orderID, feedback.productID, feedback.caseID,
                             feedback.rating, feedback.sentiment?.score, feedback.category.rawValue,
                             feedback.createdAt?.epochMicros ?? 0])
    }

    private static func project(_ db: Database, _ shipment: LogisticsV1.Shipment) throws {
        try db.execute(sql: """
            INSERT OR REPLACE INTO shipment_fact (shipment_id, kind, status, order_id, case_id, carrier_id, created_at, delivered_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [shipment.id, shipment.kind.rawValue, shipment.status.rawValue, shipment.orderID, shipment.caseID,
                             shipment.carrierID, shipment.createdAt?.epochMicros, shipment.deliveredAt?.epochMicros])
    }

    /// Products' categories as last seen on a sale or case line; feedback names only the product.
    private static func rememberProduct(_ db: Database, _ productID: String, category: String) throws {
        guard !productID.isEmpty, !category.isEmpty else { return }
        try db.execute(sql: "INSERT OR REPLACE INTO product_dim (product_id, category_id) VALUES (?, ?)",
                       arguments: [productID, category])
    }
}
