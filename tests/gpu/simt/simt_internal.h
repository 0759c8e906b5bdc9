#pragma once

// What the two halves of the SIMT emulation share (simt_runtime.cpp: scheduler, launch, errors;
// simt_api.cpp: the runtime calls): the stream, event and graph objects and the error state.

#include "simt_runtime.h"

#include <chrono>
#include <functional>
#include <vector>

namespace bfsimt {

struct Stream {
    bool capturing = false;
    bool invalidated = false; // a call the capture could not record was made: its end fails
    std::vector<std::function<void()>> captured;
};
struct Event {
    std::chrono::steady_clock::time_point at{};
};
struct Graph {
    std::vector<std::function<void()>> steps;
};

// Keeps a failure as the calling thread's last error (bfGetLastError) and returns it.
bfError_t record(bfError_t e);
// Runs a stream operation now, or records it while the stream captures.
void enqueue(bfStream_t stream, std::function<void()> op);
// A failed launch's error, which every later synchronisation returns (as a GPU context's).
bfError_t sticky();
// The last error, cleared; else the sticky one.
bfError_t takeLastError();
// Clears both (bfDeviceReset).
void resetErrors();
// For a call that a capture open on this thread cannot record — one on the default stream
// (`stream` nullptr) or a synchronous one (called without a stream): invalidates that capture and
// returns bfErrorStreamCaptureUnsupported, recorded as the last error. bfSuccess when no capture
// is open on this thread, or the call names a stream of its own (the capturing one records it,
// another runs it).
bfError_t unrecordable(bfStream_t stream = nullptr);

} // namespace bfsimt
