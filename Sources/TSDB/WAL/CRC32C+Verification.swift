extension CRC32C {
    /// Whether a checksum read from a file (`stored`, nil when the file ended first) matches
    /// the one computed over the bytes it covers.
    ///
    /// Every reader of a checksummed file asks here. The fuzzing harness is built with
    /// `VIGIL_FUZZING`, where any stored checksum passes: a fuzzer cannot forge CRCs, and without
    /// this it would never get past them to the decoders behind (a build for fuzzing only; the
    /// flag is set by `scripts/fuzz.sh` through `VIGIL_FUZZ`, never in a release).
    static func matches(_ stored: UInt32?, _ computed: @autoclosure () -> UInt32?) -> Bool {
        guard let stored else { return false }
        #if VIGIL_FUZZING
        return true
        #else
        return computed() == stored
        #endif
    }
}
