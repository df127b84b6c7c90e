import RPCShared

/// Addresses the gateway books parcels between.
enum ShippingAddresses {
    /// A warehouse as a shipping address. The catalogue names warehouses but holds no addresses, so the gateway
    /// addresses returns to the warehouse's returns desk in the order's market — enough for carriers to price and
    /// route within the country. A deployment with real addresses would look them up here.
    static func warehouse(_ warehouseID: String, country: String) -> CommonV1.Address {
        CommonV1.Address(name: "AfterSale returns desk", lines: [warehouseID.isEmpty ? "main warehouse" : warehouseID],
                         country: country)
    }

    /// The coverage region carriers price by: a subdivision code (`CN-SH`) when the address has one, else the
    /// country — the same rule LogisticsService applies to CreateShipment.
    static func region(_ address: CommonV1.Address?) -> String {
        guard let address else { return "" }
        return address.region.hasPrefix(address.country + "-") ? address.region : address.country
    }
}
