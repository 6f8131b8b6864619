// netlink: the one question zsvgen asks the kernel over rtnetlink (no `ip` process):
// does an interface hold an IPv4 address of global scope (as `ip -4 addr show dev
// IFACE scope global` would list). The answer is for this process's network namespace.
#pragma once
#include <string>

namespace zsv {

// True when interface IFACE exists and holds an IPv4 address whose scope is global
// (RT_SCOPE_UNIVERSE). A missing interface, or any netlink failure, is false, as an
// `ip` that fails prints nothing. Bounded: the socket has a receive timeout.
bool has_global_ipv4(const std::string& iface);

}  // namespace zsv
