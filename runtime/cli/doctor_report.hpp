#pragma once
// The lines `ferry doctor` prints: one `[ ok ]`, `[warn]` or `[FAIL]` line per check, a
// fix under each that is not ok, `[info]` lines that count as neither, and the totals.

#include <ostream>
#include <string>
#include <string_view>

namespace ferry::cli {

/// Prints the aligned check lines and counts them.
class Report {
 public:
  explicit Report(std::ostream& out) : out_(out) {}

  void heading(std::string_view text) { out_ << text << "\n\n"; }
  void ok(std::string_view topic, std::string_view finding) {
    ++oks_;
    print("[ ok ]", topic, finding, {});
  }
  /// A finding that is neither good nor bad news (e.g. a cluster manager this machine does not use).
  void info(std::string_view topic, std::string_view finding) { print("[info]", topic, finding, {}); }
  void warn(std::string_view topic, std::string_view finding, std::string_view fix) {
    ++warnings_;
    print("[warn]", topic, finding, fix);
  }
  void fail(std::string_view topic, std::string_view finding, std::string_view fix) {
    ++failures_;
    print("[FAIL]", topic, finding, fix);
  }

  /// Prints the totals; returns the exit code (1 when any check failed).
  int finish() {
    out_ << '\n' << oks_ << " ok, " << warnings_ << " warning(s), " << failures_ << " failure(s): "
         << (failures_ == 0 ? "Ferry can run on this machine"
                            : "Ferry cannot run here until the failures are fixed")
         << '\n';
    return failures_ == 0 ? 0 : 1;
  }

 private:
  static constexpr size_t topic_width = 13;
  static constexpr size_t text_column = 7 + topic_width;
  static constexpr size_t line_width = 110;

  void print(std::string_view tag, std::string_view topic, std::string_view finding,
             std::string_view fix) {
    const size_t padding = topic.size() < topic_width ? topic_width - topic.size() : 1;
    out_ << tag << ' ' << topic << std::string(padding, ' ');
    print_wrapped(finding);
    if (fix.empty()) return;
    out_ << std::string(text_column, ' ');
    print_wrapped("fix: " + std::string(fix));
  }

  /// Writes `text` from the text column on, wrapping long lines at spaces.
  void print_wrapped(std::string_view text) {
    size_t column = text_column;
    bool first = true;
    while (!text.empty()) {
      const size_t space = text.find(' ');
      const std::string_view word = text.substr(0, space);
      text = space == std::string_view::npos ? std::string_view{} : text.substr(space + 1);
      if (!first && column + 1 + word.size() > line_width) {
        out_ << '\n' << std::string(text_column, ' ');
        column = text_column;
      } else if (!first) {
        out_ << ' ';
        ++column;
      }
      out_ << word;
      column += word.size();
      first = false;
    }
    out_ << '\n';
  }

  std::ostream& out_;
  int oks_ = 0;
  int warnings_ = 0;
  int failures_ = 0;
};

}  // namespace ferry::cli
