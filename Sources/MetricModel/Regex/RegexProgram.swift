/// One instruction of a compiled regex, executed by ``RegexProgram``'s Pike VM.
enum RegexInstruction: Sendable {
    case scalar(UInt32)
    case charClass(Int)          // index into RegexProgram.classes
    case any
    case anyNotNewline
    case split(Int, Int)         // try the first branch before the second
    case jump(Int)
    case save(Int)
    case assert(RegexAssertion)
    case match
}

/// A regex compiled into NFA instructions, matched in time linear in the input.
///
/// Matching simulates all NFA threads in lock step (Pike VM), so patterns such as `(a+)+b` cannot
/// backtrack exponentially.
struct RegexProgram: Sendable {
    var instructions: [RegexInstruction] = []
    var classes: [RegexCharClass] = []
    var captureCount: Int = 0
    /// True when every match must begin at offset 0 (the program starts with `\A`).
    var anchoredStart = false

    /// Programs larger than this are refused so a pattern cannot exhaust memory.
    static let maxInstructions = 100_000

    struct TooLarge: Error {}

    init(_ node: RegexNode, captureCount: Int) throws(TooLarge) {
        self.captureCount = captureCount
        emit(.save(0))
        try compile(node)
        emit(.save(1))
        emit(.match)
        if case .assertion(.beginText) = firstMeaningful(node) { anchoredStart = true }
    }

    private func firstMeaningful(_ node: RegexNode) -> RegexNode {
        switch node {
        case .concat(let items): return items.first.map(firstMeaningful) ?? node
        case .capture(_, let inner): return firstMeaningful(inner)
        default: return node
        }
    }

    @discardableResult
    private mutating func emit(_ i: RegexInstruction) -> Int {
        instructions.append(i)
        return instructions.count - 1
    }

    private mutating func compile(_ node: RegexNode) throws(TooLarge) {
        if instructions.count > Self.maxInstructions { throw TooLarge() }
        switch node {
        case .empty:
            break
        case .literal(let s):
            emit(.scalar(s.value))
        case .charClass(let cls):
            classes.append(cls)
            emit(.charClass(classes.count - 1))
        case .anyChar(let nl):
            emit(nl ? .any : .anyNotNewline)
        case .assertion(let a):
            emit(.assert(a))
        case .capture(let idx, let inner):
            emit(.save(2 * idx))
            try compile(inner)
            emit(.save(2 * idx + 1))
        case .concat(let items):
            for item in items { try compile(item) }
        case .alternate(let branches):
            var jumps: [Int] = []
            for (i, b) in branches.enumerated() {
                if i < branches.count - 1 {
                    let split = emit(.split(0, 0))
                    try compile(b)
                    jumps.append(emit(.jump(0)))
                    instructions[split] = .split(split + 1, instructions.count)
                } else {
                    try compile(b)
                }
            }
            for j in jumps { instructions[j] = .jump(instructions.count) }
        case .repeat(let inner, let minCount, let maxCount, let greedy):
            for _ in 0..<minCount { try compile(inner) }
            if let maxCount {
                // Optional copies nested: (x(x(x)?)?)?
                var splits: [Int] = []
                for _ in minCount..<maxCount {
                    splits.append(emit(.split(0, 0)))
                    try compile(inner)
                }
                let end = instructions.count
                for s in splits { instructions[s] = greedy ? .split(s + 1, end) : .split(end, s + 1) }
            } else {
                let split = emit(.split(0, 0))
                try compile(inner)
                emit(.jump(split))
                let end = instructions.count
                instructions[split] = greedy ? .split(split + 1, end) : .split(end, split + 1)
            }
        }
    }
}

extension RegexProgram {
    /// A thread: a program counter and its capture slots.
    private struct Thread {
        var pc: Int
        var caps: [Int]
    }

    /// A set of threads in priority order, with O(1) membership by pc.
    private struct ThreadList {
        var threads: [Thread] = []
        var seen: [UInt32]
        var generation: UInt32 = 1

        init(size: Int) { seen = Array(repeating: 0, count: size) }

        mutating func clear() {
            threads.removeAll(keepingCapacity: true)
            generation &+= 1
            if generation == 0 {
                for i in seen.indices { seen[i] = 0 }
                generation = 1
            }
        }
    }

    private static func isWord(_ v: UInt32?) -> Bool {
        guard let v else { return false }
        return (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || v == 0x5F || (v >= 0x61 && v <= 0x7A)
    }

    private func assertionHolds(_ a: RegexAssertion, position: Int, count: Int, prev: UInt32?, next: UInt32?) -> Bool {
        switch a {
        case .beginText: return position == 0
        case .endText: return position == count
        case .beginLine: return position == 0 || prev == 0x0A
        case .endLine: return position == count || next == 0x0A
        case .wordBoundary: return Self.isWord(prev) != Self.isWord(next)
        case .notWordBoundary: return Self.isWord(prev) == Self.isWord(next)
        }
    }

    /// Follows empty transitions from `pc`, adding the threads that wait on input to `list`.
    private func addThread(
        _ list: inout ThreadList, pc start: Int, caps: [Int], position: Int, count: Int,
        prev: UInt32?, next: UInt32?, trackCaptures: Bool
    ) {
        // Explicit stack keeps deep programs from overflowing the call stack.
        var stack: [(Int, [Int])] = [(start, caps)]
        while let (pc, caps) = stack.popLast() {
            if list.seen[pc] == list.generation { continue }
            list.seen[pc] = list.generation
            switch instructions[pc] {
            case .jump(let target):
                stack.append((target, caps))
            case .split(let a, let b):
                stack.append((b, caps))
                stack.append((a, caps))
            case .save(let slot):
                if trackCaptures, slot < caps.count {
                    var c = caps
                    c[slot] = position
                    stack.append((pc + 1, c))
                } else {
                    stack.append((pc + 1, caps))
                }
            case .assert(let a):
                if assertionHolds(a, position: position, count: count, prev: prev, next: next) {
                    stack.append((pc + 1, caps))
                }
            default:
                list.threads.append(Thread(pc: pc, caps: caps))
            }
        }
    }

    /// Runs the program over `input` (as scalar values). With `anchored`, a match must start at 0.
    /// With `fullMatch`, only a match ending at the end of input counts.
    /// Returns the capture slots of the leftmost-first match (scalar offsets), or nil.
    func run(_ input: [UInt32], anchored: Bool, fullMatch: Bool, trackCaptures: Bool) -> [Int]? {
        let count = input.count
        let slotCount = trackCaptures ? 2 * (captureCount + 1) : 0
        var clist = ThreadList(size: instructions.count)
        var nlist = ThreadList(size: instructions.count)
        var matched: [Int]?
        let startAnchored = anchored || anchoredStart
        let empty = Array(repeating: -1, count: slotCount)
        for position in 0...count {
            let prev: UInt32? = position > 0 ? input[position - 1] : nil
            let next: UInt32? = position < count ? input[position] : nil
            if matched == nil && (position == 0 || !startAnchored) {
                addThread(&clist, pc: 0, caps: empty, position: position, count: count, prev: prev, next: next, trackCaptures: trackCaptures)
            }
            if clist.threads.isEmpty { break }
            var i = 0
            while i < clist.threads.count {
                let t = clist.threads[i]
                i += 1
                var advance = false
                switch instructions[t.pc] {
                case .match:
                    if fullMatch && position != count { continue }
                    matched = t.caps
                    if !trackCaptures && fullMatch { return matched }
                    // Lower-priority threads are cut off: leftmost-first semantics.
                    i = clist.threads.count
                    continue
                case .scalar(let v): advance = next == v
                case .charClass(let idx): advance = next.map { classes[idx].contains($0) } ?? false
                case .any: advance = next != nil
                case .anyNotNewline: advance = next != nil && next != 0x0A
                default: advance = false
                }
                if advance {
                    let nextNext: UInt32? = position + 1 < count ? input[position + 1] : nil
                    addThread(&nlist, pc: t.pc + 1, caps: t.caps, position: position + 1, count: count,
                              prev: next, next: nextNext, trackCaptures: trackCaptures)
                }
            }
            swap(&clist, &nlist)
            nlist.clear()
        }
        return matched
    }
}
