#include "pipeline/float_text.h"

#include <charconv>
#include <cmath>

namespace bioforge::viral {

std::string numpyFloat32Text(float value)
{
    if (std::isnan(value))
        return "nan";
    if (std::isinf(value))
        return value < 0 ? "-inf" : "inf";
    if (value == 0.0f)
        return std::signbit(value) ? "-0.0" : "0.0";
    char buffer[64];
    const double magnitude = std::fabs(double(value));
    const bool positional = magnitude >= 1e-4 && magnitude < 1e16;
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, positional ? std::chars_format::fixed : std::chars_format::scientific);
    std::string text(buffer, result.ptr);
    if (positional && text.find('.') == std::string::npos)
        text += ".0";
    return text;
}

} // namespace bioforge::viral
