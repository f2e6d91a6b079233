import Foundation

/// The element-wise math functions (`abs`, `ln`, `sin`, …) by name.
enum MathFunction {
    static let byName: [String: @Sendable (Double) -> Double] = [
        "abs": { abs($0) }, "ceil": { $0.rounded(.up) }, "floor": { $0.rounded(.down) }, "exp": { Foundation.exp($0) },
        "ln": { Foundation.log($0) }, "log2": { Foundation.log2($0) }, "log10": { Foundation.log10($0) }, "sqrt": { $0.squareRoot() },
        "sgn": { $0 > 0 ? 1 : ($0 < 0 ? -1 : $0) },
        "acos": { Foundation.acos($0) }, "acosh": { Foundation.acosh($0) }, "asin": { Foundation.asin($0) }, "asinh": { Foundation.asinh($0) },
        "atan": { Foundation.atan($0) }, "atanh": { Foundation.atanh($0) }, "cos": { Foundation.cos($0) }, "cosh": { Foundation.cosh($0) },
        "sin": { Foundation.sin($0) }, "sinh": { Foundation.sinh($0) }, "tan": { Foundation.tan($0) }, "tanh": { Foundation.tanh($0) },
        "deg": { $0 * 180 / Double.pi }, "rad": { $0 * Double.pi / 180 },
    ]
}
