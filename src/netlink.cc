// netlink: an RTM_GETADDR dump for AF_INET, filtered by interface index and scope.
#include "netlink.h"

#include <cerrno>
#include <cstring>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "fsutil.h"

namespace zsv {

namespace {

Fd open_rtnetlink() {
  Fd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!fd) return fd;
  timeval tv{1, 0};  // the kernel answers a dump at once; never wait longer than this
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) return Fd();
  return fd;
}

bool send_dump_request(int fd, unsigned seq) {
  struct {
    nlmsghdr h;
    ifaddrmsg a;
  } req{};
  req.h.nlmsg_len = NLMSG_LENGTH(sizeof(ifaddrmsg));
  req.h.nlmsg_type = RTM_GETADDR;
  req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.h.nlmsg_seq = seq;
  req.a.ifa_family = AF_INET;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  return ::sendto(fd, &req, req.h.nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) ==
         static_cast<ssize_t>(req.h.nlmsg_len);
}

}  // namespace

bool has_global_ipv4(const std::string& iface) {
  unsigned index = ::if_nametoindex(iface.c_str());
  if (index == 0) return false;
  Fd fd = open_rtnetlink();
  const unsigned seq = 1;
  if (!fd || !send_dump_request(fd.get(), seq)) return false;
  alignas(nlmsghdr) char buf[16384];
  for (;;) {
    ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    auto len = static_cast<unsigned>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_seq != seq) continue;
      if (h->nlmsg_type == NLMSG_DONE) return false;
      if (h->nlmsg_type == NLMSG_ERROR) return false;
      if (h->nlmsg_type != RTM_NEWADDR || h->nlmsg_len < NLMSG_LENGTH(sizeof(ifaddrmsg))) continue;
      auto* a = static_cast<ifaddrmsg*>(NLMSG_DATA(h));
      if (a->ifa_family == AF_INET && a->ifa_index == index && a->ifa_scope == RT_SCOPE_UNIVERSE) return true;
    }
  }
}

}  // namespace zsv
