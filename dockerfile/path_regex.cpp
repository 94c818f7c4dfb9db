// A Thompson-NFA engine for the Go regexps patternmatcher builds.
#include "dockerfile/path_regex.hpp"

#include <algorithm>
#include <optional>

#include "base/error.hpp"

namespace berth::dockerfile {

namespace {

constexpr char32_t max_rune = 0x10FFFF;

caf::error bad() {
  return make_error(errc::invalid_argument, "syntax error in pattern");
}

struct range {
  char32_t lo;
  char32_t hi;
};

std::vector<range> negate(std::vector<range> in) {
  std::sort(in.begin(), in.end(), [](const range& a, const range& b) { return a.lo < b.lo; });
  std::vector<range> out;
  char32_t next = 0;
  bool done = false;
  for (const auto& r : in) {
    if (done) break;
    if (r.lo > next) out.push_back({next, r.lo - 1});
    if (r.hi >= max_rune) {
      done = true;
    } else if (r.hi + 1 > next) {
      next = r.hi + 1;
    }
  }
  if (!done) out.push_back({next, max_rune});
  return out;
}

bool is_alnum(char32_t c) {
  return (c >= U'0' && c <= U'9') || (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z');
}

/// \d \s \w and their negations.
std::optional<std::vector<range>> perl_class(char32_t c) {
  std::vector<range> r;
  switch (c) {
  case U'd':
  case U'D':
    r = {{U'0', U'9'}};
    break;
  case U's':
  case U'S':
    r = {{U'\t', U'\n'}, {U'\f', U'\r'}, {U' ', U' '}};
    break;
  case U'w':
  case U'W':
    r = {{U'0', U'9'}, {U'A', U'Z'}, {U'_', U'_'}, {U'a', U'z'}};
    break;
  default:
    return std::nullopt;
  }
  if (c == U'D' || c == U'S' || c == U'W') return negate(r);
  return r;
}

std::optional<std::vector<range>> posix_class(std::u32string_view name) {
  bool negated = !name.empty() && name.front() == U'^';
  if (negated) name.remove_prefix(1);
  std::vector<range> r;
  if (name == U"alnum")
    r = {{U'0', U'9'}, {U'A', U'Z'}, {U'a', U'z'}};
  else if (name == U"alpha")
    r = {{U'A', U'Z'}, {U'a', U'z'}};
  else if (name == U"ascii")
    r = {{0, 0x7F}};
  else if (name == U"blank")
    r = {{U'\t', U'\t'}, {U' ', U' '}};
  else if (name == U"cntrl")
    r = {{0, 0x1F}, {0x7F, 0x7F}};
  else if (name == U"digit")
    r = {{U'0', U'9'}};
  else if (name == U"graph")
    r = {{U'!', U'~'}};
  else if (name == U"lower")
    r = {{U'a', U'z'}};
  else if (name == U"print")
    r = {{U' ', U'~'}};
  else if (name == U"punct")
    r = {{U'!', U'/'}, {U':', U'@'}, {U'[', U'`'}, {U'{', U'~'}};
  else if (name == U"space")
    r = {{U'\t', U'\r'}, {U' ', U' '}};
  else if (name == U"upper")
    r = {{U'A', U'Z'}};
  else if (name == U"word")
    r = {{U'0', U'9'}, {U'A', U'Z'}, {U'_', U'_'}, {U'a', U'z'}};
  else if (name == U"xdigit")
    r = {{U'0', U'9'}, {U'A', U'F'}, {U'a', U'f'}};
  else
    return std::nullopt;
  return negated ? negate(r) : r;
}

/// A single escaped character (not a class): `\` + punctuation or a control letter.
std::optional<char32_t> escaped_char(char32_t c) {
  if (c < 0x80 && !is_alnum(c)) return c;
  switch (c) {
  case U'a':
    return 7;
  case U'f':
    return 12;
  case U'n':
    return 10;
  case U'r':
    return 13;
  case U't':
    return 9;
  case U'v':
    return 11;
  default:
    return std::nullopt;
  }
}

} // namespace

/// Parses the expression and builds the NFA.
class regex_builder {
 public:
  regex_builder(std::u32string_view expr, path_regex& out) : expr_(expr), out_(out) {}

  caf::error build() {
    auto frag = sequence(0);
    if (!frag) return frag.error();
    if (pos_ != expr_.size()) return bad(); // an unmatched ')'
    int match = add({path_regex::state::kind::match, {}, -1, -1});
    patch(frag->outs, match);
    out_.start_ = frag->start;
    return {};
  }

 private:
  using kind = path_regex::state::kind;
  /// A dangling arrow: state index and whether it is the `alt` one.
  struct hole {
    int state;
    bool alt;
  };
  struct fragment {
    int start;
    std::vector<hole> outs;
  };

  int add(path_regex::state s) {
    out_.states_.push_back(std::move(s));
    return static_cast<int>(out_.states_.size() - 1);
  }
  void patch(const std::vector<hole>& outs, int target) {
    for (auto h : outs)
      (h.alt ? out_.states_[h.state].alt : out_.states_[h.state].next) = target;
  }
  fragment single(kind k, std::vector<path_regex::range> ranges = {}) {
    int s = add({k, std::move(ranges), -1, -1});
    return {s, {{s, false}}};
  }
  static std::vector<path_regex::range> convert(const std::vector<range>& in) {
    std::vector<path_regex::range> out;
    for (auto r : in)
      out.push_back({r.lo, r.hi});
    return out;
  }

  caf::expected<fragment> sequence(int depth) {
    if (depth > 32) return bad();
    std::optional<fragment> whole;
    while (pos_ < expr_.size() && expr_[pos_] != U')') {
      auto item = atom(depth);
      if (!item) return item.error();
      auto quantified = quantifier(std::move(*item));
      if (!quantified) return quantified.error();
      if (!whole) {
        whole = std::move(*quantified);
      } else {
        patch(whole->outs, quantified->start);
        whole->outs = std::move(quantified->outs);
      }
    }
    if (!whole) {
      // An empty sequence: a split whose both ways lead on.
      int s = add({kind::split, {}, -1, -1});
      out_.states_[s].alt = -1;
      return fragment{s, {{s, false}, {s, true}}};
    }
    return std::move(*whole);
  }

  caf::expected<fragment> quantifier(fragment item) {
    if (pos_ >= expr_.size()) return item;
    char32_t q = expr_[pos_];
    if (q == U'+' || q == U'{') return bad();
    if (q != U'*' && q != U'?') return item;
    ++pos_;
    if (pos_ < expr_.size() && expr_[pos_] == U'?') ++pos_; // lazy: same set of matches
    if (pos_ < expr_.size() && (expr_[pos_] == U'*' || expr_[pos_] == U'?' || expr_[pos_] == U'+'))
      return bad(); // Go: invalid nested repetition operator
    int split = add({kind::split, {}, item.start, -1});
    if (q == U'*') {
      patch(item.outs, split);
      return fragment{split, {{split, true}}};
    }
    auto outs = std::move(item.outs);
    outs.push_back({split, true});
    return fragment{split, std::move(outs)};
  }

  caf::expected<fragment> atom(int depth) {
    char32_t c = expr_[pos_++];
    switch (c) {
    case U'*':
    case U'?':
    case U'+':
    case U'|':
      return bad(); // a repetition with nothing to repeat, or alternation
    case U'^':
      return single(kind::text_begin);
    case U'$':
      return single(kind::text_end);
    case U'.':
      return single(kind::chars, convert({{0, U'\n' - 1}, {U'\n' + 1, max_rune}}));
    case U'(': {
      auto inner = sequence(depth + 1);
      if (!inner) return inner.error();
      if (pos_ >= expr_.size() || expr_[pos_] != U')') return bad();
      ++pos_;
      return inner;
    }
    case U'[': {
      auto ranges = char_class();
      if (!ranges) return ranges.error();
      return single(kind::chars, convert(*ranges));
    }
    case U'\\': {
      if (pos_ >= expr_.size()) return bad();
      char32_t e = expr_[pos_++];
      if (auto perl = perl_class(e)) return single(kind::chars, convert(*perl));
      auto ch = escaped_char(e);
      if (!ch) return bad();
      return single(kind::chars, convert({{*ch, *ch}}));
    }
    default:
      return single(kind::chars, convert({{c, c}}));
    }
  }

  caf::expected<char32_t> class_char() {
    if (pos_ >= expr_.size()) return bad(); // missing closing ]
    char32_t c = expr_[pos_++];
    if (c != U'\\') return c;
    if (pos_ >= expr_.size()) return bad();
    auto ch = escaped_char(expr_[pos_++]);
    if (!ch) return bad();
    return *ch;
  }

  caf::expected<std::vector<range>> char_class() {
    bool negated = pos_ < expr_.size() && expr_[pos_] == U'^';
    if (negated) ++pos_;
    std::vector<range> ranges;
    bool first = true;
    while (pos_ >= expr_.size() || expr_[pos_] != U']' || first) {
      if (pos_ >= expr_.size()) return bad();
      first = false;
      auto rest = expr_.substr(pos_);
      if (rest.size() > 2 && rest[0] == U'[' && rest[1] == U':') {
        auto end = rest.find(U":]", 2);
        if (end != std::u32string_view::npos) {
          auto named = posix_class(rest.substr(2, end - 2));
          if (!named) return bad();
          ranges.insert(ranges.end(), named->begin(), named->end());
          pos_ += end + 2;
          continue;
        }
      }
      if (rest.size() > 1 && rest[0] == U'\\') {
        if (auto perl = perl_class(rest[1])) {
          ranges.insert(ranges.end(), perl->begin(), perl->end());
          pos_ += 2;
          continue;
        }
      }
      auto lo = class_char();
      if (!lo) return lo.error();
      char32_t hi = *lo;
      if (pos_ + 1 < expr_.size() && expr_[pos_] == U'-' && expr_[pos_ + 1] != U']') {
        ++pos_;
        auto h = class_char();
        if (!h) return h.error();
        hi = *h;
        if (hi < *lo) return bad();
      }
      ranges.push_back({*lo, hi});
    }
    ++pos_; // ']'
    return negated ? negate(ranges) : ranges;
  }

  std::u32string_view expr_;
  size_t pos_ = 0;
  path_regex& out_;
};

caf::expected<path_regex> path_regex::compile(std::u32string_view expr) {
  path_regex out;
  regex_builder builder{expr, out};
  if (auto err = builder.build()) return err;
  return out;
}

void path_regex::add_closure(std::vector<int>& set, std::vector<char>& on, int s, size_t pos,
                             size_t size) const {
  // Iterative: a pattern of many stars is a long chain of splits.
  std::vector<int> pending{s};
  while (!pending.empty()) {
    int at = pending.back();
    pending.pop_back();
    if (at < 0 || on[static_cast<size_t>(at)]) continue;
    on[static_cast<size_t>(at)] = 1;
    const auto& st = states_[static_cast<size_t>(at)];
    switch (st.type) {
    case state::kind::split:
      // The second way is pushed first so the first is explored first (order does not change
      // the set, only the walk).
      pending.push_back(st.alt);
      pending.push_back(st.next);
      break;
    case state::kind::text_begin:
      if (pos == 0) pending.push_back(st.next);
      break;
    case state::kind::text_end:
      if (pos == size) pending.push_back(st.next);
      break;
    default:
      set.push_back(at);
    }
  }
}

bool path_regex::search(std::u32string_view text) const {
  std::vector<int> current;
  std::vector<int> next;
  std::vector<char> on(states_.size(), 0);
  for (size_t pos = 0;; ++pos) {
    // A match may start anywhere: the start state joins at every position.
    add_closure(current, on, start_, pos, text.size());
    for (int s : current)
      if (states_[static_cast<size_t>(s)].type == state::kind::match) return true;
    if (pos == text.size()) return false;
    std::fill(on.begin(), on.end(), 0);
    next.clear();
    char32_t c = text[pos];
    for (int s : current) {
      const auto& st = states_[static_cast<size_t>(s)];
      if (st.type != state::kind::chars) continue;
      bool ok = std::any_of(st.ranges.begin(), st.ranges.end(),
                            [c](const range& r) { return r.lo <= c && c <= r.hi; });
      if (ok) add_closure(next, on, st.next, pos + 1, text.size());
    }
    std::swap(current, next);
  }
}

} // namespace berth::dockerfile
