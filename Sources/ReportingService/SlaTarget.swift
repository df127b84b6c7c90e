import RPCShared

/// The service-level targets of docs/CONTRACT.md, per stage. An item breaches when it took — or, still open,
/// has been waiting — strictly longer than its target.
enum SlaTarget {
    static let stages: [ReportingV1.SlaStage] = [.review, .inspection, .resolution, .refund]

    static func seconds(_ stage: ReportingV1.SlaStage) -> Int64 {
        switch stage {
        case .review: 48 * 3600
        case .inspection: 72 * 3600
        case .resolution: 48 * 3600
        case .refund: 24 * 3600
        case .unspecified, .unrecognized: 0
        }
    }

}
