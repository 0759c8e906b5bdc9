#pragma once

// A float32 as NumPy prints a np.float32 (what the reference's
// `'\t'.join(map(str, probability))` writes): the shortest digits that read
// back as the same float32; positional for 1e-4 ≤ |x| < 1e16 (with ".0" when
// whole), else scientific with a two-digit exponent ("1e-05").

#include <string>

namespace bioforge::viral {

std::string numpyFloat32Text(float value);

} // namespace bioforge::viral
