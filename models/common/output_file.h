// Outputs are written completely or not at all: content goes to "<path>.tmp" and is renamed into place only
// after a successful write, so an interrupted run never leaves a truncated file behind.
#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace dacapo {

// Calls `write` with a stream on a temporary file, then atomically renames it to `path`.
// Throws std::runtime_error naming the path when the file cannot be written.
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

}  // namespace dacapo
