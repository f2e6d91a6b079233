import Testing
@testable import Scrape

/// The watch calls a target suspicious when its counters go down in at least four of its last
/// twenty scrapes — a restart does that once.
@Suite struct CounterResetWatchTests {
    @Test func aRestartNowAndThenIsNotSuspicious() {
        var watch = CounterResetWatch()
        for scrape in 0..<200 { watch.record(counterResets: scrape % 20 == 5 ? 12 : 0) }
        #expect(!watch.isSuspicious)
        #expect(watch.scrapesWithResets == 1)
    }

    @Test func resetsAtAThirdOfScrapesAreSuspiciousAndCalmDownOnceTheyStop() {
        var watch = CounterResetWatch()
        // Four workers: about a third of scrapes find a counter lower than the last.
        for scrape in 0..<20 { watch.record(counterResets: scrape % 3 == 1 ? 2 : 0) }
        #expect(watch.isSuspicious)
        #expect(watch.scrapesWithResets == 7)
        // Eighteen calm scrapes later only the reset of the nineteenth is left in the window.
        for _ in 0..<18 { watch.record(counterResets: 0) }
        #expect(watch.isSuspicious == false)
        #expect(watch.scrapesWithResets == 1)
        for _ in 0..<2 { watch.record(counterResets: 0) }
        #expect(watch.scrapesWithResets == 0)
    }

    @Test func fourResetsInTwentyScrapesIsTheThreshold() {
        var watch = CounterResetWatch()
        for scrape in 0..<20 { watch.record(counterResets: [1, 7, 13].contains(scrape) ? 1 : 0) }
        #expect(!watch.isSuspicious)
        watch.record(counterResets: 3)
        #expect(watch.isSuspicious)
    }
}
