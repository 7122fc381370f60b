import XCTest

@testable import ChorusConference

final class TickPhaseAlignerTests: XCTestCase {
    /// Feeds `spares` tick by tick, moving each later spare by the steps taken, as the room's
    /// clock does; returns the steps.
    private func run(_ aligner: inout TickPhaseAligner, spareBeforeSteps: Int, ticks: Int) -> [Int] {
        var moved = 0
        var steps: [Int] = []
        for _ in 0..<ticks {
            let step = aligner.observe(smallestSpareMs: spareBeforeSteps - moved)
            if step > 0 { steps.append(step) }
            moved += step
        }
        return steps
    }

    func testStepsEarlierUntilTheSpareIsTheMargin() {
        var aligner = TickPhaseAligner()
        let steps = run(&aligner, spareBeforeSteps: 15, ticks: 200)
        XCTAssertEqual(steps, [4, 4, 4, 1], "15 ms of spare down to the 2 ms margin, at most 4 ms per window")
    }

    func testNoStepWithinTheMarginOrBeforeAWholeWindow() {
        var aligner = TickPhaseAligner()
        XCTAssertEqual(run(&aligner, spareBeforeSteps: 2, ticks: 100), [])
        var fresh = TickPhaseAligner()
        XCTAssertEqual((0..<9).map { _ in fresh.observe(smallestSpareMs: 19) }, [Int](repeating: 0, count: 9))
        XCTAssertEqual(fresh.observe(smallestSpareMs: 19), 4)
    }

    func testTheSmallestSpareOfTheWindowDecides() {
        var aligner = TickPhaseAligner()
        let spares = [12, 12, 3, 12, 12, 12, 12, 12, 12, 12]
        XCTAssertEqual(spares.map { aligner.observe(smallestSpareMs: $0) }.last, 1)
    }

    func testAnUnknownSpareHoldsTheClockForAWholeWindow() {
        var aligner = TickPhaseAligner()
        for _ in 0..<9 { XCTAssertEqual(aligner.observe(smallestSpareMs: 15), 0) }
        XCTAssertEqual(aligner.observe(smallestSpareMs: nil), 0, "a G.711 talker or a concealed frame")
        for _ in 0..<9 { XCTAssertEqual(aligner.observe(smallestSpareMs: 15), 0) }
        XCTAssertEqual(aligner.observe(smallestSpareMs: 15), 4)
    }

    func testASpareOfATickOrMoreIsABacklogNotAPhase() {
        var aligner = TickPhaseAligner()
        XCTAssertEqual(run(&aligner, spareBeforeSteps: 300, ticks: 100), [], "300 ms behind: the jitter buffer's to catch up")
        XCTAssertEqual(run(&aligner, spareBeforeSteps: 20, ticks: 100), [])
        for _ in 0..<9 { XCTAssertEqual(aligner.observe(smallestSpareMs: 15), 0) }
        XCTAssertEqual(aligner.observe(smallestSpareMs: 40), 0, "one tick behind in the window holds it")
    }

    func testANegativeSpareNeverMovesTheClock() {
        var aligner = TickPhaseAligner()
        XCTAssertEqual(run(&aligner, spareBeforeSteps: -8, ticks: 50), [])
    }
}
