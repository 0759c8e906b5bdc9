#include "sequence/six_frames.h"

#include <algorithm>
#include <array>

namespace bioforge::viral {

namespace {

// Index of a base in TCAG order (the layout of the standard code table), or -1.
int baseIndex(char c)
{
    switch (c) {
    case 'T': return 0;
    case 'C': return 1;
    case 'A': return 2;
    case 'G': return 3;
    default: return -1;
    }
}

// NCBI translation table 1, first base T C A G, then second, then third.
constexpr std::string_view kStandardCode = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG";

char translateCodon(char a, char b, char c)
{
    const int i = baseIndex(a), j = baseIndex(b), k = baseIndex(c);
    if (i < 0 || j < 0 || k < 0)
        return 0;
    return kStandardCode[size_t(16 * i + 4 * j + k)];
}

} // namespace

std::string translateFrame(std::string_view strand, int offset)
{
    std::string protein;
    for (size_t i = size_t(offset); i + 3 <= strand.size(); i += 3)
        if (const char aa = translateCodon(strand[i], strand[i + 1], strand[i + 2]))
            protein.push_back(aa);
    return protein;
}

std::string reverseComplement(std::string_view sequence)
{
    std::string out(sequence.rbegin(), sequence.rend());
    for (char& c : out) {
        switch (c) {
        case 'A': c = 'T'; break;
        case 'T': c = 'A'; break;
        case 'C': c = 'G'; break;
        case 'G': c = 'C'; break;
        case 'a': c = 't'; break;
        case 't': c = 'a'; break;
        case 'c': c = 'g'; break;
        case 'g': c = 'c'; break;
        default: break;
        }
    }
    return out;
}

std::vector<TranslatedFrame> translateSixFrames(std::string_view sequence, NucleotideSpan span)
{
    std::vector<TranslatedFrame> frames;
    const std::string reverse = reverseComplement(sequence);
    const std::array<std::string_view, 2> strands{sequence, reverse};
    for (int s = 0; s < 2; ++s)
        for (int offset = 0; offset < 3; ++offset) {
            std::string protein = translateFrame(strands[size_t(s)], offset);
            if (protein.empty() || protein.find('*') != std::string::npos)
                continue;
            const std::string_view strand = strands[size_t(s)];
            const size_t wanted = 3 * protein.size() + (span == NucleotideSpan::Reference ? 1 : 0);
            const size_t begin = std::min(size_t(offset), strand.size());
            TranslatedFrame f;
            f.name = std::string(1, s == 0 ? 'F' : 'R') + char('1' + offset);
            f.nucleotide = std::string(strand.substr(begin, wanted));
            f.protein = std::move(protein);
            frames.push_back(std::move(f));
        }
    return frames;
}

} // namespace bioforge::viral
