import XCTest
@testable import ChorusSIP
