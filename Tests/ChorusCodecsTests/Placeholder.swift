import XCTest
@testable import ChorusCodecs
