import XCTest
@testable import ChorusSDP
