// status: the marks, the aligned table and the JSON of --status.
#include "status.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace zsv {

namespace {

const char* state_word(const std::optional<ServiceStatus>& st) {
  if (!st) return "-";
  switch (st->state) {
    case 1: return "run";
    case 2: return "finish";
    default: return "down";
  }
}

bool running(const StatusRow& r) { return r.runit && r.runit->pid != 0; }

// Where the condition now and zsv/want part: the next run acts on the edge.
std::optional<Mark> pending(const StatusRow& r) {
  if (r.want == Want::up && (r.condition == Condition::fails || r.condition == Condition::timed_out))
    return Mark{"pending", fmt::format("condition {}: the next run stops it", condition_word(r.condition))};
  if (r.want == Want::down && r.condition == Condition::holds)
    return Mark{"pending", "condition holds: the next run starts it"};
  return std::nullopt;
}

std::vector<Mark> runit_marks(const StatusRow& r, long long now) {
  std::vector<Mark> m;
  if (!r.runsv) {
    m.push_back({"no-runsv", "no runsv"});
    return m;
  }
  if (r.restarting) m.push_back({"restarting", "restarting repeatedly: its run exits at once"});
  if (r.backoff && running(r) && r.backoff->waiting(now))
    m.push_back({"backoff", fmt::format("in backoff: starts in {} ({} quick restarts)",
                                        duration_text(r.backoff->until - now), r.backoff->fails)});
  else if (r.backoff && r.backoff->fails > 0)
    m.push_back({"crash-looping", fmt::format("crash-looping: {} quick restarts in a row", r.backoff->fails)});
  if (r.want == Want::up && r.runit && !running(r) && r.runit->want == 'd')
    m.push_back({"stopped-by-hand", "stopped by hand"});
  if (r.want == Want::down && running(r)) m.push_back({"unwanted", "running though unwanted"});
  return m;
}

struct Cell {
  std::string text;
  const char* colour = nullptr;  // ANSI SGR parameters
};

const char* condition_colour(Condition c) {
  switch (c) {
    case Condition::holds: return "32";
    case Condition::fails: return "33";
    case Condition::timed_out: return "31";
    default: return nullptr;
  }
}

std::vector<Cell> cells(const StatusRow& r, long long now) {
  std::string pid = running(r) ? std::to_string(r.runit->pid) : "-";
  std::string since = r.runit ? duration_text(now - r.runit->since) : "-";
  std::string marks;
  for (const Mark& m : marks_of(r, now)) marks += (marks.empty() ? "" : "; ") + m.text;
  return {{r.name, nullptr},
          {condition_word(r.condition), condition_colour(r.condition)},
          {r.want ? want_word(*r.want) : "-", nullptr},
          {state_word(r.runit), nullptr},
          {pid, nullptr},
          {since, nullptr},
          {r.flags.empty() ? "-" : r.flags, nullptr},
          {marks, marks.empty() ? nullptr : "1;31"}};
}

}  // namespace

const char* condition_word(Condition c) {
  switch (c) {
    case Condition::holds: return "holds";
    case Condition::fails: return "fails";
    case Condition::timed_out: return "timed out";
    case Condition::unknown: break;
  }
  return "-";
}

std::vector<Mark> marks_of(const StatusRow& r, long long now) {
  if (!r.in_tree) return {{"not-created", "not in the tree yet: the next run creates it"}};
  if (!r.ours) return {{"not-zsv", "not zsv's"}};
  std::vector<Mark> m;
  if (!r.in_svtab) m.push_back({"not-in-svtab", "not in svtab: the next run removes it"});
  for (Mark& k : runit_marks(r, now)) m.push_back(std::move(k));
  if (r.want != Want::manual)
    if (auto p = pending(r)) m.push_back(*p);
  return m;
}

std::string duration_text(long long s) {
  if (s < 0) return "-";
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
  return fmt::format("{}d{:02}h", s / 86400, s % 86400 / 3600);
}

std::string status_table(const std::vector<StatusRow>& rows, long long now, bool colour) {
  std::vector<std::vector<Cell>> table{{{"SERVICE"}, {"CONDITION"}, {"WANT"}, {"STATE"}, {"PID"},
                                        {"FOR"}, {"FLAGS"}, {"NOTE"}}};
  for (const StatusRow& r : rows) table.push_back(cells(r, now));
  std::vector<std::size_t> width(table.front().size(), 0);
  for (const auto& row : table)
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].text.size());
  std::string out;
  for (const auto& row : table) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      bool last = i + 1 == row.size();
      std::string text = last ? row[i].text : fmt::format("{:<{}}", row[i].text, width[i]);
      if (colour && row[i].colour && !row[i].text.empty())
        text = fmt::format("\x1b[{}m{}\x1b[0m{}", row[i].colour, row[i].text, text.substr(row[i].text.size()));
      line += text + (last ? "" : "  ");
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string status_json(const std::vector<StatusRow>& rows, long long now) {
  using json = nlohmann::ordered_json;
  json services = json::array();
  for (const StatusRow& r : rows) {
    json j;
    j["name"] = r.name;
    j["zsv"] = r.ours;
    j["in_svtab"] = r.in_svtab;
    j["source"] = r.source.empty() ? json() : json(r.source);
    j["condition"] = r.condition == Condition::unknown ? json() : json(condition_word(r.condition));
    j["want"] = r.want ? json(want_word(*r.want)) : json();
    j["flags"] = r.ours ? json(r.flags) : json();
    j["runsv"] = r.runsv;
    j["state"] = r.runit ? json(state_word(r.runit)) : json();
    j["pid"] = running(r) ? json(r.runit->pid) : json();
    j["since"] = r.runit ? json(r.runit->since) : json();
    j["seconds"] = r.runit ? json(std::max(0LL, now - r.runit->since)) : json();
    j["runit_want"] = r.runit && r.runit->want ? json(r.runit->want == 'u' ? "up" : "down") : json();
    j["backoff"] = r.backoff ? json{{"fails", r.backoff->fails}, {"started", r.backoff->started},
                                    {"until", r.backoff->until}}
                             : json();
    j["marks"] = json::array();
    j["notes"] = json::array();
    for (const Mark& m : marks_of(r, now)) {
      j["marks"].push_back(m.id);
      j["notes"].push_back(m.text);
    }
    services.push_back(std::move(j));
  }
  json top;
  top["time"] = now;
  top["services"] = std::move(services);
  return top.dump(2) + "\n";
}

}  // namespace zsv
