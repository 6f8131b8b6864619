// inputs: what a run reads before it evaluates anything, made independent of the caller
// (SPEC §5): paths canonical, the zsh resolved once, PATH never missing, and every input
// file a regular file of bounded size, opened without blocking.
#pragma once
#include <cstddef>
#include <optional>
#include <string>

namespace zsv {

// The PATH a run uses when the environment has none (env -i, a bare init).
inline constexpr const char* safe_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Sets PATH to safe_path when it is unset or empty.
void ensure_path();

// PATH made absolute (from the cwd), with the symlinks of its longest existing prefix
// resolved (realpath) and ".", ".." and repeated slashes of the rest removed: every
// spelling of one file gives one string.
std::string canonical_path(const std::string& path);

// The zsh that every script's "#!" names: GIVEN (--zsh, ZSV_ZSH) when not empty, else
// FALLBACK (the build's default) when it is executable, else the first zsh on PATH's
// absolute entries; in each case its realpath. Empty, with ERROR set, when none is found.
std::string resolve_zsh(const std::string& given, const std::string& fallback, std::string& error);

// An input file's text. MISSING: it does not exist; ERROR (non-empty): it exists but may
// not be read (not a regular file, larger than the limit, unreadable).
struct InputText {
  std::string text;
  bool missing = false;
  std::string error;
};

// Reads PATH: opened O_NONBLOCK (a FIFO cannot hang the run), fstat'ed before reading
// (only a regular file is read), at most LIMIT bytes.
InputText read_input(const std::string& path, std::size_t limit);

}  // namespace zsv
