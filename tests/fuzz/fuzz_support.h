#pragma once

// Shared by the fuzz targets (docs/reliability.md). Each target defines
// LLVMFuzzerTestOneInput; built with clang's -fsanitize=fuzzer it is a
// libFuzzer binary (tests/bench/fuzz_campaign.sh), built as part of the
// normal suite it is linked with replay_main.cpp and replays its corpus
// (the seeds and every input that ever failed) under CTest.
//
// The parsers under test open files by path, so an input is written to one
// file per process first. The invariants checked besides "no crash": a parse
// either gives a value or an error, and an error's message names the file
// (and, where the format has them, the line, record or offset) and is never
// empty. A broken invariant aborts, which the fuzzer and CTest both report.

#include <QByteArray>
#include <QString>

#include <cstddef>
#include <cstdint>

namespace bioforge::fuzz {

// Writes the input to this process's input file (with `suffix`, e.g. ".fa"
// or ".gz" when the format is chosen from the name) and returns its path.
QString writeInput(const uint8_t* data, size_t size, const char* suffix);

// Aborts with `what` on stderr unless `condition` holds.
void require(bool condition, const char* what, const QString& detail = {});

// An error message must be non-empty and name the input file.
void requireNamesFile(const QString& message, const QString& path);

} // namespace bioforge::fuzz
