import RPCShared

extension CarrierCatalogue {
    /// The public carrier catalogue shipped with the service (in `ListCarriersResponse` JSON form), used unless
    /// `aftersale serve logistics --carriers FILE` names another. Prices are list prices in minor units of the
    /// carrier's billing currency: a level priced in another currency than a request is excluded, never converted.
    /// YTO Express is listed inactive to show how a suspended carrier is reported.
    public static let builtInJSON = #"""
{
  "carriers": [
    {
      "id": "cainiao",
      "name": "Cainiao",
      "active": true,
      "serviceLevels": [
        {
          "code": "cainiao-station",
          "name": "Cainiao Station drop-off",
          "method": "SHIPPING_METHOD_DROP_OFF",
          "originRegions": [
            "CN"
          ],
          "destinationRegions": [
            "CN"
          ],
          "baseCost": {
            "currency": "CNY",
            "minorUnits": "600"
          },
          "costPerKg": {
            "currency": "CNY",
            "minorUnits": "100"
          },
          "transitDaysMin": 2,
          "transitDaysMax": 4,
          "maxWeightGrams": 20000
        },
        {
          "code": "cainiao-pickup",
          "name": "Cainiao doorstep pickup",
          "method": "SHIPPING_METHOD_PICKUP",
          "originRegions": [
            "CN"
          ],
          "destinationRegions": [
            "CN"
          ],
          "baseCost": {
            "currency": "CNY",
            "minorUnits": "900"
          },
          "costPerKg": {
            "currency": "CNY",
            "minorUnits": "150"
          },
          "transitDaysMin": 2,
          "transitDaysMax": 3,
          "maxWeightGrams": 20000
        }
      ]
    },
    {
      "id": "dhl",
      "name": "DHL",
      "active": true,
      "serviceLevels": [
        {
          "code": "dhl-pickup-eu",
          "name": "DHL Parcel pickup (EU)",
          "method": "SHIPPING_METHOD_PICKUP",
          "originRegions": [
            "AT",
            "BE",
            "DE",
            "ES",
            "FR",
            "IT",
            "NL",
            "PL"
          ],
          "destinationRegions": [
            "AT",
            "BE",
            "DE",
            "ES",
            "FR",
            "IT",
            "NL",
            "PL"
          ],
          "baseCost": {
            "currency": "EUR",
            "minorUnits": "1290"
          },
          "costPerKg": {
            "currency": "EUR",
            "minorUnits": "150"
          },
          "transitDaysMin": 1,
          "transitDaysMax": 3,
          "maxWeightGrams": 31500
        },
        {
          "code": "dhl-parcelshop-eu",
          "name": "DHL Parcelshop drop-off (EU)",
          "method": "SHIPPING_METHOD_DROP_OFF",
          "originRegions": [
            "AT",
            "BE",
            "DE",
            "ES",
            "FR",
            "IT",
            "NL",
            "PL"
          ],
          "destinationRegions": [
            "AT",
            "BE",
            "DE",
            "ES",
            "FR",
            "IT",
            "NL",
            "PL"
          ],
          "baseCost": {
            "currency": "EUR",
            "minorUnits": "590"
          },
          "costPerKg": {
            "currency": "EUR",
            "minorUnits": "90"
          },
          "transitDaysMin": 2,
          "transitDaysMax": 4,
          "maxWeightGrams": 31500
        },
        {
          "code": "dhl-express-intl",
          "name": "DHL Express Worldwide pickup",
          "method": "SHIPPING_METHOD_PICKUP",
          "originRegions": [
            "*"
          ],
          "destinationRegions": [
            "*"
          ],
          "baseCost": {
            "currency": "EUR",
            "minorUnits": "4990"
          },
          "costPerKg": {
            "currency": "EUR",
            "minorUnits": "850"
          },
          "transitDaysMin": 2,
          "transitDaysMax": 4,
          "maxWeightGrams": 70000
        }
      ]
    },
    {
      "id": "sf",
      "name": "SF Express",
      "active": true,
      "serviceLevels": [
        {
          "code": "sf-pickup-std",
          "name": "SF Express standard pickup",
          "method": "SHIPPING_METHOD_PICKUP",
          "originRegions": [
            "CN"
          ],
          "destinationRegions": [
            "CN"
          ],
          "baseCost": {
            "currency": "CNY",
            "minorUnits": "1200"
          },
          "costPerKg": {
            "currency": "CNY",
            "minorUnits": "200"
          },
          "transitDaysMin": 1,
          "transitDaysMax": 2,
          "maxWeightGrams": 30000
        },
        {
          "code": "sf-pickup-greater-bay",
          "name": "SF Express pickup CN/HK/MO",
          "method": "SHIPPING_METHOD_PICKUP",
          "originRegions": [
            "CN",
            "HK",
            "MO"
          ],
          "destinationRegions": [
            "CN",
            "HK",
            "MO"
          ],
          "baseCost": {
            "currency": "CNY",
            "minorUnits": "2300"
          },
          "costPerKg": {
            "currency": "CNY",
            "minorUnits": "400"
          },
          "transitDaysMin": 2,
          "transitDaysMax": 3,
          "maxWeightGrams": 30000
        }
      ]
    },
    {
      "id": "simulator",
      "name": "Carrier simulator",
      "active": true,
      "serviceLevels": [
        {
          "code": "sim-pickup",
          "name": "Simulated pickup",
          "method": "SHIPPING_METHOD_PICKUP",
          "originRegions": [
            "*"
          ],
          "destinationRegions": [
            "*"
          ],
          "baseCost": {
            "currency": "CNY",
            "minorUnits": "1500"
          },
          "costPerKg": {
            "currency": "CNY",
            "minorUnits": "200"
          },
          "transitDaysMin": 1,
          "transitDaysMax": 2,
          "maxWeightGrams": 50000
        },
        {
          "code": "sim-drop-off",
          "name": "Simulated drop-off",
          "method": "SHIPPING_METHOD_DROP_OFF",
          "originRegions": [
            "*"
          ],
          "destinationRegions": [
            "*"
          ],
          "baseCost": {
            "currency": "CNY",
            "minorUnits": "800"
          },
          "costPerKg": {
            "currency": "CNY",
            "minorUnits": "100"
          },
          "transitDaysMin": 2,
          "transitDaysMax": 3,
          "maxWeightGrams": 50000
        },
        {
          "code": "sim-label",
          "name": "Simulated prepaid label",
          "method": "SHIPPING_METHOD_PREPAID_LABEL",
          "originRegions": [
            "*"
          ],
          "destinationRegions": [
            "*"
          ],
          "baseCost": {
            "currency": "CNY",
            "minorUnits": "1000"
          },
          "costPerKg": {
            "currency": "CNY",
            "minorUnits": "100"
          },
          "transitDaysMin": 2,
          "transitDaysMax": 4,
          "maxWeightGrams": 50000
        }
      ]
    },
    {
      "id": "ups",
      "name": "UPS",
      "active": true,
      "serviceLevels": [
        {
          "code": "ups-pickup-us",
          "name": "UPS Ground pickup",
          "method": "SHIPPING_METHOD_PICKUP",
          "originRegions": [
            "US"
          ],
          "destinationRegions": [
            "US"
          ],
          "baseCost": {
            "currency": "USD",
            "minorUnits": "1499"
          },
          "costPerKg": {
            "currency": "USD",
            "minorUnits": "120"
          },
          "transitDaysMin": 2,
          "transitDaysMax": 5,
          "maxWeightGrams": 68000
        },
        {
          "code": "ups-label-us",
          "name": "UPS Ground prepaid label",
          "method": "SHIPPING_METHOD_PREPAID_LABEL",
          "originRegions": [
            "US"
          ],
          "destinationRegions": [
            "US"
          ],
          "baseCost": {
            "currency": "USD",
            "minorUnits": "999"
          },
          "costPerKg": {
            "currency": "USD",
            "minorUnits": "110"
          },
          "transitDaysMin": 3,
          "transitDaysMax": 5,
          "maxWeightGrams": 68000
        },
        {
          "code": "ups-access-point-us",
          "name": "UPS Access Point drop-off",
          "method": "SHIPPING_METHOD_DROP_OFF",
          "originRegions": [
            "US"
          ],
          "destinationRegions": [
            "US"
          ],
          "baseCost": {
            "currency": "USD",
            "minorUnits": "799"
          },
          "costPerKg": {
            "currency": "USD",
            "minorUnits": "100"
          },
          "transitDaysMin": 3,
          "transitDaysMax": 6,
          "maxWeightGrams": 20000
        }
      ]
    },
    {
      "id": "usps",
      "name": "USPS",
      "active": true,
      "serviceLevels": [
        {
          "code": "usps-ground-label",
          "name": "USPS Ground Advantage prepaid label",
          "method": "SHIPPING_METHOD_PREPAID_LABEL",
          "originRegions": [
            "US"
          ],
          "destinationRegions": [
            "US"
          ],
          "baseCost": {
            "currency": "USD",
            "minorUnits": "895"
          },
          "costPerKg": {
            "currency": "USD",
            "minorUnits": "95"
          },
          "transitDaysMin": 2,
          "transitDaysMax": 5,
          "maxWeightGrams": 31751
        },
        {
          "code": "usps-post-office",
          "name": "USPS Post Office drop-off",
          "method": "SHIPPING_METHOD_DROP_OFF",
          "originRegions": [
            "US"
          ],
          "destinationRegions": [
            "US"
          ],
          "baseCost": {
            "currency": "USD",
            "minorUnits": "650"
          },
          "costPerKg": {
            "currency": "USD",
            "minorUnits": "80"
          },
          "transitDaysMin": 3,
          "transitDaysMax": 6,
          "maxWeightGrams": 31751
        }
      ]
    },
    {
      "id": "yto",
      "name": "YTO Express",
      "active": false,
      "serviceLevels": [
        {
          "code": "yto-pickup",
          "name": "YTO Express pickup",
          "method": "SHIPPING_METHOD_PICKUP",
          "originRegions": [
            "CN"
          ],
          "destinationRegions": [
            "CN"
          ],
          "baseCost": {
            "currency": "CNY",
            "minorUnits": "700"
          },
          "costPerKg": {
            "currency": "CNY",
            "minorUnits": "100"
          },
          "transitDaysMin": 2,
          "transitDaysMax": 4,
          "maxWeightGrams": 30000
        }
      ]
    }
  ]
}
"""#
}
