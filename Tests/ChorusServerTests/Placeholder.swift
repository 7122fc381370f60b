import XCTest
@testable import ChorusServer
