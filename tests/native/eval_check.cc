// eval_check: zsvgen's native evaluation of library checks, for the agreement test
// (test_agree.sh) only. Not installed.
//
//   eval_check SYSFS PROCFS SERVICEDIR 'zsv_check_carrier eth0' ...
//
// prints one line per check: 0 when it holds, 1 when not (the zsh status); exits 2
// when a check is not one native_rule would accept.
#include <iostream>

#include "native_check.h"
#include "native_rule.h"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: eval_check SYSFS PROCFS SERVICEDIR CHECK...\n";
    return 2;
  }
  for (int i = 4; i < argc; ++i) {
    auto words = zsv::literal_words(argv[i]);
    if (!words || words->empty()) {
      std::cerr << "eval_check: not literal: " << argv[i] << "\n";
      return 2;
    }
    zsv::NativeCheck n{words->front(), {words->begin() + 1, words->end()}, argv[1], argv[2], argv[3]};
    if (!zsv::parse_native(zsv::native_text(n))) {
      std::cerr << "eval_check: not a native check: " << argv[i] << "\n";
      return 2;
    }
    std::cout << (zsv::evaluate_native(n) ? 0 : 1) << "\n";
  }
  return 0;
}
