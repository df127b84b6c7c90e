import Logging

/// The log handler of a call's `ServerContext.logger`: the server's configured handler, plus the call's
/// `request-id`, `trace-id`, `method` and `peer` on every line it writes.
///
/// The call's keys are handed to the wrapped handler as the event's metadata when something is logged, instead of
/// being set on the handler's own metadata when the call starts: setting metadata is not free (`StreamLogHandler`
/// re-renders all of its metadata on every set), and most calls log nothing. A key set on the logger later (or
/// passed with one log line) still wins over the call's, as it did when the call's keys were set first.
struct CallLogHandler: LogHandler {
    /// The call's keys; a handler that sets one of them on its logger replaces it here.
    struct CallMetadata: Sendable {
        var requestID: Logger.Metadata.Value?
        var traceID: Logger.Metadata.Value?
        var method: Logger.Metadata.Value?
        var peer: Logger.Metadata.Value?

        static let keys = ["request-id", "trace-id", "method", "peer"]

        subscript(key: String) -> Logger.Metadata.Value?? {
            get {
                switch key {
                case "request-id": requestID
                case "trace-id": traceID
                case "method": method
                case "peer": peer
                default: nil  // not a call key
                }
            }
        }

        /// Sets a call key; false for any other key.
        mutating func set(_ key: String, _ value: Logger.Metadata.Value?) -> Bool {
            switch key {
            case "request-id": requestID = value
            case "trace-id": traceID = value
            case "method": method = value
            case "peer": peer = value
            default: return false
            }
            return true
        }

        /// The keys that are set, under `explicit` (the line's own metadata wins).
        func merged(into explicit: Logger.Metadata?) -> Logger.Metadata {
            var metadata = explicit ?? [:]
            metadata.reserveCapacity(metadata.count + 4)
            func add(_ key: String, _ value: Logger.Metadata.Value?) {
                if let value, metadata[key] == nil { metadata[key] = value }
            }
            add("request-id", requestID)
            add("trace-id", traceID)
            add("method", method)
            add("peer", peer)
            return metadata
        }
    }

    private var base: any LogHandler
    private var call: CallMetadata

    init(wrapping base: any LogHandler, call: CallMetadata) {
        self.base = base
        self.call = call
    }

    func log(event: LogEvent) {
        var event = event
        event.metadata = call.merged(into: event.metadata)
        base.log(event: event)
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get {
            if let value = call[key] { return value }
            return base[metadataKey: key]
        }
        set {
            if !call.set(key, newValue) { base[metadataKey: key] = newValue }
        }
    }

    var metadata: Logger.Metadata {
        get { call.merged(into: nil).merging(base.metadata) { call, _ in call } }
        set {
            var rest = newValue
            for key in CallMetadata.keys {
                _ = call.set(key, rest.removeValue(forKey: key))
            }
            base.metadata = rest
        }
    }

    var logLevel: Logger.Level {
        get { base.logLevel }
        set { base.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { base.metadataProvider }
        set { base.metadataProvider = newValue }
    }
}

extension Logger {
    /// This logger, with a call's keys on every line (see ``CallLogHandler``).
    func withCallMetadata(_ call: CallLogHandler.CallMetadata) -> Logger {
        var logger = self
        logger.handler = CallLogHandler(wrapping: handler, call: call)
        return logger
    }
}
