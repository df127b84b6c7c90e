import ServiceRuntime
import Testing

@Suite struct ServiceSettingsTests {
    @Test func flagsWinOverTheEnvironment() throws {
        let settings = try ServiceSettings.resolve(
            name: "order", listen: "tcp://127.0.0.1:0", data: nil, reporting: nil, peers: ["product": nil],
            environment: ["AFTERSALE_ORDER_LISTEN": "unix:///tmp/ignored.sock", "AFTERSALE_ORDER_DATA": "/tmp/d",
                          "AFTERSALE_PRODUCT_ADDR": "unix:///tmp/p.sock", "AFTERSALE_LOG_LEVEL": "debug"])
        #expect(settings.listen == .tcp(host: "127.0.0.1", port: 0))
        #expect(settings.databasePath == "/tmp/d/order.sqlite")
        #expect(settings.peers == ["product": "unix:///tmp/p.sock"])
        #expect(settings.reportingAddress == nil)
        #expect(settings.logLevel == .debug)
    }

    @Test(arguments: [
        ([:], "missing --listen (or AFTERSALE_ORDER_LISTEN)"),
        (["AFTERSALE_ORDER_LISTEN": "http://x"], "--listen / AFTERSALE_ORDER_LISTEN"),
        (["AFTERSALE_ORDER_LISTEN": "tcp://127.0.0.1:1"], "missing --data (or AFTERSALE_ORDER_DATA)"),
        (["AFTERSALE_ORDER_LISTEN": "tcp://127.0.0.1:1", "AFTERSALE_ORDER_DATA": "/tmp"],
         "missing --product-addr (or AFTERSALE_ORDER_PRODUCT_ADDR or AFTERSALE_PRODUCT_ADDR)"),
        (["AFTERSALE_ORDER_LISTEN": "tcp://127.0.0.1:1", "AFTERSALE_ORDER_DATA": "/tmp", "AFTERSALE_PRODUCT_ADDR": "unix:///p",
          "AFTERSALE_SQLITE_SYNC": "sometimes"], "must be normal or full, got 'sometimes'"),
        (["AFTERSALE_ORDER_LISTEN": "tcp://127.0.0.1:1", "AFTERSALE_ORDER_DATA": "/tmp", "AFTERSALE_PRODUCT_ADDR": "unix:///p",
          "AFTERSALE_ORDER_METRICS_PORT": "99999"], "must be a port number, got '99999'"),
    ])
    func missingOrMalformedSettingsFailWithOneClearLine(_ environment: [String: String], _ message: String) {
        do {
            _ = try ServiceSettings.resolve(name: "order", listen: nil, data: nil, reporting: nil,
                                            peers: ["product": nil], environment: environment)
            Issue.record("expected a failure")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
            #expect(!"\(error)".contains("\n"))
        }
    }

    @Test(arguments: [("order", "full"), ("customer", "full"), ("gateway", "full"),
                      ("product", "normal"), ("logistics", "normal"), ("reporting", "normal")])
    func servicesThatMoveMoneyFsyncEveryCommitByDefault(_ name: String, _ expected: String) throws {
        let defaults = try ServiceSettings.resolve(name: name, listen: "tcp://127.0.0.1:0", data: "/tmp/d", reporting: nil,
                                                   environment: [:])
        #expect(defaults.synchronous.rawValue == expected)
        let overridden = try ServiceSettings.resolve(name: name, listen: "tcp://127.0.0.1:0", data: "/tmp/d", reporting: nil,
                                                     environment: ["AFTERSALE_SQLITE_SYNC": expected == "full" ? "normal" : "full"])
        #expect(overridden.synchronous.rawValue != expected, "the variable still overrides the default")
    }

    @Test func theInFlightLimitDefaultsToAThousandAndCanBeChangedOrTurnedOff() throws {
        func resolve(_ environment: [String: String]) throws -> ServiceSettings {
            try ServiceSettings.resolve(name: "gateway", listen: "tcp://127.0.0.1:0", data: "/tmp/d", reporting: nil,
                                        environment: environment)
        }
        #expect(try resolve([:]).maxInFlight == 1000)
        #expect(try resolve(["AFTERSALE_GATEWAY_MAX_IN_FLIGHT": "64"]).maxInFlight == 64)
        #expect(try resolve(["AFTERSALE_MAX_IN_FLIGHT": "off"]).maxInFlight == nil)
        #expect(throws: ServiceSettingsError.self) { try resolve(["AFTERSALE_MAX_IN_FLIGHT": "lots"]) }
    }
}
