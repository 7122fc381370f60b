import XCTest
@testable import ChorusMixer
