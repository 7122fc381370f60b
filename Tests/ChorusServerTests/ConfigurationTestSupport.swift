import XCTest
@testable import ChorusServer

/// Loads `yaml` (as file "test.yaml") and returns the error message, failing the test if it loads.
func configurationError(
    _ yaml: String, environment: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line
) -> String {
    do {
        let configuration = try ConfigurationLoader.load(yaml: yaml, sourceName: "test.yaml", environment: environment)
        XCTFail("expected a configuration error, loaded \(configuration)", file: file, line: line)
        return ""
    } catch {
        return error.message
    }
}

/// Loads `yaml` (as file "test.yaml"), failing the test with the message if it does not load.
func loadConfiguration(
    _ yaml: String, environment: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line
) -> ChorusConfiguration? {
    do {
        return try ConfigurationLoader.load(yaml: yaml, sourceName: "test.yaml", environment: environment)
    } catch {
        XCTFail("unexpected configuration error: \(error.message)", file: file, line: line)
        return nil
    }
}
