#pragma once

// VirNucPro's six-frame translation of an (upper-cased) chunk with the
// standard genetic code. Frames F1–F3 read the forward strand from offsets
// 0, 1, 2; R1–R3 the reverse complement (A↔T, C↔G; other letters kept) from
// offsets 0, 1, 2. Codons are read while three bases remain; a codon with a
// base outside ACGT translates to nothing (it is dropped, not replaced). A
// frame whose protein holds a stop (`*`) or is empty is not kept.
//
// The nucleotide span of a kept frame is what the reference slices: on that
// strand, from the frame's offset, 3·P + 1 bases (P = protein length), cut at
// the strand's end — its slice end is offset + 1 + 3·P. That one extra base
// is the published behaviour; `NucleotideSpan::CodonsOnly` gives exactly the
// 3·P bases instead.

#include <string>
#include <string_view>
#include <vector>

namespace bioforge::viral {

enum class NucleotideSpan { Reference, CodonsOnly };

struct TranslatedFrame {
    std::string name;       // "F1" … "F3", "R1" … "R3"
    std::string nucleotide; // the span fed to the nucleotide model
    std::string protein;    // fed to the protein model
};

// The protein of one reading frame (no filtering).
std::string translateFrame(std::string_view strand, int offset);
std::string reverseComplement(std::string_view sequence);
// The kept frames in the order F1, F2, F3, R1, R2, R3.
std::vector<TranslatedFrame> translateSixFrames(std::string_view sequence, NucleotideSpan span = NucleotideSpan::Reference);

} // namespace bioforge::viral
