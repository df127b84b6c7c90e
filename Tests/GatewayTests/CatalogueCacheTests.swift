@testable import Gateway
import Testing

@Suite struct CatalogueCacheTests {
    @Test func entriesExpireAfterTheirTimeToLive() {
        let cache = CatalogueCache<String, Int>(ttl: .seconds(30))
        let start = ContinuousClock.now
        cache.store(1, for: "a", now: start)
        cache.store(2, for: "b", ttl: .seconds(5), now: start)
        #expect(cache.value("a", now: start + .seconds(29)) == 1)
        #expect(cache.value("b", now: start + .seconds(4)) == 2)
        #expect(cache.value("b", now: start + .seconds(5)) == nil, "the shorter time to live applies")
        #expect(cache.value("a", now: start + .seconds(30)) == nil)
        #expect(cache.count == 0, "expired entries are dropped when read")
    }

    @Test func aFullCacheStartsOver() {
        let cache = CatalogueCache<Int, Int>(ttl: .seconds(30), capacity: 3)
        for key in 0..<3 { cache.store(key, for: key) }
        cache.store(9, for: 9)
        #expect(cache.count == 1)
        #expect(cache.value(9) == 9 && cache.value(0) == nil)
    }
}
