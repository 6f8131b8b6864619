// render: a resolved entry becomes the files of its service directory (SPEC §5).
// Pure and deterministic: the same inputs give byte-identical files.
#pragma once
#include <string>
#include <vector>

#include "eval.h"
#include "svtab.h"

namespace zsv {

// A file zsv owns inside a service directory, by path relative to it.
struct File {
  std::string path;     // "run", "check", "log/run", "zsv/check", "zsv/inputs", "zsv/native", "zsv/source", "zsv/generator"
  std::string content;
  bool executable = false;
  bool operator==(const File&) const = default;
};

// What the condition asks of runit: run, stay down, or hands off (M).
enum class Want { up, down, manual };
const char* want_word(Want w);  // "up", "down", "manual": the text of zsv/want

// One service as svtab wants it.
struct DesiredService {
  std::string name;
  std::vector<File> files;  // sorted by path
  bool has_log = true;
  Want want = Want::down;
  // Its resolution was reused: FILES holds only what may differ (zsv/source, zsv/generator); the
  // scripts are the live ones and are left as they are.
  bool reused = false;
};

struct RenderSettings {
  std::string zsh;     // interpreter of the scripts
  Flags defaults;      // flags before $zsv_flags and the entry's letters
  std::string inputs;  // digest of what every entry's resolution reads: library, zsvrc, zsh
};

// 64-bit FNV-1a as 16 hex digits: a stable digest for change detection (not security).
std::string digest(std::string_view text);

// The digest of what resolving ENTRY reads: the shared inputs and the entry itself.
std::string entry_key(const Entry& entry, const RenderSettings& settings);

// The text of zsv/inputs: the key the scripts were rendered from, the final flags, and
// a digest of the scripts and of zsv/native, so that a hand edit is not taken for zsv's.
std::string inputs_text(const std::string& key, const Flags& flags, const std::vector<File>& files);

// Applies the entry's flags over RESOLVED's defaults. Unknown letters in $zsv_flags are
// reported through ERROR (non-empty) and the entry is not rendered.
DesiredService render_service(const Entry& entry, const Resolved& resolved, bool condition,
                              const RenderSettings& settings, std::string& error);

// Where ENTRY came from: zsv/source ("FILE:LINE"), and zsv/generator ("prefix.*") for an
// instance of a generator. Neither is an input of the scripts: a change rewrites them only.
std::vector<File> provenance_files(const Entry& entry);

// True for the files provenance_files() writes.
bool is_provenance_path(const std::string& path);

// The files zsv manages in every service, whether or not this one has them.
const std::vector<std::string>& managed_paths();
// Whether PATH (one of managed_paths) is an executable script: run, log/run, zsv/check, check.
bool is_script(const std::string& path);

}  // namespace zsv
