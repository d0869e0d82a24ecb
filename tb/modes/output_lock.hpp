#pragma once
// An exclusive lock on an output file, so that two processes never append to it at once.
#include <string>

namespace skipsim {

// Opens `path` for reading and appending (creating it) and locks it (fcntl, whole file).
// If another process holds the lock, throws InputError naming the file and that process.
// The lock dies with the process, so a killed one leaves none behind; but it also ends
// when this process closes *any* descriptor of the file, so read it through this one.
int open_locked(const std::string& path, const std::string& who);

// The whole content of a file descriptor, from offset 0.
std::string read_whole(int fd);

}  // namespace skipsim
