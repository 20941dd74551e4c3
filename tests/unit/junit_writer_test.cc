#include <gtest/gtest.h>

#include "orchestrate/events.h"
#include "support/event_builders.h"
#include "support/fake_ids.h"
#include "support/test_repo.h"

namespace orchestrate {
namespace {

using namespace testing::event_builders;

// The entity at `i` ("&amp;", "&#10;"), or "" when it is not one XML knows.
std::string EntityAt(const std::string& xml, size_t i) {
  size_t semi = xml.find(';', i);
  if (semi == std::string::npos) return "";
  std::string entity = xml.substr(i, semi - i + 1);
  for (const char* known : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"}) {
    if (entity == known) return entity;
  }
  bool numeric = entity.size() > 3 && entity[1] == '#' &&
                 entity.find_first_not_of("0123456789", 2) == entity.size() - 1;
  return numeric ? entity : "";
}

bool IsForbiddenControl(char c) {
  auto u = static_cast<unsigned char>(c);
  return u < 0x20 && c != '\t' && c != '\n' && c != '\r';
}

// Checks what an escaping mistake would break: tag nesting, entities, raw
// '<' in attribute values, control characters. Returns the problem or "".
std::string XmlProblem(const std::string& xml) {
  if (!xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")) return "no declaration";
  std::vector<std::string> open;
  for (size_t i = xml.find("?>") + 2; i < xml.size();) {
    if (IsForbiddenControl(xml[i])) return "control character";
    if (xml[i] == '&') {
      std::string entity = EntityAt(xml, i);
      if (entity.empty()) return "bad entity at " + std::to_string(i);
      i += entity.size();
      continue;
    }
    if (xml[i] != '<') {
      ++i;
      continue;
    }
    size_t end = i + 1;
    for (bool quoted = false; end < xml.size() && (quoted || xml[end] != '>'); ++end) {
      if (xml[end] == '"') quoted = !quoted;
      if (quoted && xml[end] == '<') return "'<' in attribute";
      if (quoted && xml[end] == '&' && EntityAt(xml, end).empty()) return "bad entity";
    }
    if (end == xml.size()) return "unterminated tag";
    std::string tag = xml.substr(i + 1, end - i - 1);
    if (tag.starts_with("/")) {
      if (open.empty() || open.back() != tag.substr(1)) return "mismatched " + tag;
      open.pop_back();
    } else if (!tag.ends_with("/")) {
      open.push_back(tag.substr(0, tag.find(' ')));
    }
    i = end + 1;
  }
  return open.empty() ? "" : "unclosed " + open.back();
}

size_t Count(const std::string& text, const std::string& what) {
  size_t count = 0;
  for (size_t i = text.find(what); i != std::string::npos; i = text.find(what, i + 1)) ++count;
  return count;
}

class JunitWriterTest : public ::testing::Test {
 protected:
  std::string Write(const std::vector<Event>& events) {
    auto writer = MakeJunitWriter(path_);
    for (const Event& e : events) writer->OnEvent(e);
    writer->Close();
    return testing::ReadFile(path_);
  }

  std::vector<Event> SampleRun() {
    Event fresh = PhaseFresh("schema");
    fresh.result = PaddedId("1111111");
    Event failed = PhaseFinished("ui", PhaseState::kFailed, 20, 20);
    failed.failed_command = "make test";
    failed.commands = {{"verify", "make test", 2, "exit status 2", 3}};
    failed.log_tail = "expected <a & \"b\"> got 'c'\n\x1b[31mred\x1b[0m \x01 bad \xff byte\n";
    return {fresh,
            PhaseFinished("api", PhaseState::kSucceeded, 72, 72),
            failed,
            PhaseFinished("db", PhaseState::kError, 73, 1).Reason("cannot write the object store"),
            PhaseBlocked("docs", "ui", 73),
            RunFinishedEvent(92.5, 1)};
  }

  testing::TempDir dir_;
  std::string path_ = dir_.path() + "/junit.xml";
};

TEST_F(JunitWriterTest, OneWellFormedTestcasePerPhase) {
  std::string xml = Write(SampleRun());
  EXPECT_EQ(XmlProblem(xml), "") << xml;
  EXPECT_EQ(Count(xml, "<testcase "), 5u) << xml;
  EXPECT_NE(xml.find("<testsuite name=\"orchestrate\" tests=\"5\" failures=\"1\" errors=\"1\" "
                     "skipped=\"1\" time=\"92.500\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase name=\"api\" classname=\"orchestrate\" time=\"72.000\">"),
            std::string::npos)
      << xml;
}

TEST_F(JunitWriterTest, APhaseThatNeverStartedTookNoTime) {
  Event conflict = PhaseFinished("merge", PhaseState::kInputConflict, 3, 1265.9);
  conflict.started_at = 0;  // an input conflict ends the phase before it starts
  std::string xml = Write({conflict});
  EXPECT_NE(xml.find("<testcase name=\"merge\" classname=\"orchestrate\" time=\"0.000\">"),
            std::string::npos)
      << xml;
}

TEST_F(JunitWriterTest, FailureCarriesCommandAndEscapedLogTail) {
  std::string xml = Write(SampleRun());
  EXPECT_NE(xml.find("<failure message=\"make test exit status 2\" type=\"failed\">"
                     "expected &lt;a &amp; &quot;b&quot;&gt; got &apos;c&apos;\n"
                     "red  bad \xEF\xBF\xBD byte\n</failure>"),
            std::string::npos)
      << xml;
}

TEST_F(JunitWriterTest, ErrorsSkipsAndFreshPhasesAreMarked) {
  std::string xml = Write(SampleRun());
  EXPECT_NE(xml.find("<error message=\"cannot write the object store\" type=\"error\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<skipped message=\"blocked by ui\"/>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<property name=\"orchestrate.state\" value=\"fresh\"/>"), std::string::npos)
      << xml;
  EXPECT_EQ(Count(xml, "<failure"), 1u);
}

TEST_F(JunitWriterTest, UsageIsInThePropertiesAndSkippedBudgetIsSkipped) {
  Event api = PhaseFinished("api", PhaseState::kSucceeded, 10, 10);
  api.usage.cost_usd = 0.125;
  api.usage.input_tokens = 21294;
  api.usage.output_tokens = 9;
  api.usage.model = "claude-sonnet-4-5";
  Event docs = PhaseFinished("docs", PhaseState::kSkippedBudget, 10, 0)
                   .Reason("not started: this run spent $1.20 of settings.budget_usd ($1.00)");
  std::string xml = Write({api, docs, PhaseFinished("lint", PhaseState::kSucceeded, 11, 1)});
  EXPECT_EQ(XmlProblem(xml), "") << xml;
  EXPECT_NE(
      xml.find("<property name=\"orchestrate.cost_usd\" value=\"0.125\"/>\n"
               "        <property name=\"orchestrate.input_tokens\" value=\"21294\"/>\n"
               "        <property name=\"orchestrate.output_tokens\" value=\"9\"/>\n"
               "        <property name=\"orchestrate.model\" value=\"claude-sonnet-4-5\"/>\n"),
      std::string::npos)
      << xml;
  EXPECT_EQ(Count(xml, "orchestrate.cost_usd"), 1u) << "lint reported none";
  EXPECT_NE(xml.find("<skipped message=\"not started: this run spent $1.20 of "
                     "settings.budget_usd ($1.00)\"/>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("skipped=\"1\""), std::string::npos) << xml;
}

TEST_F(JunitWriterTest, EscapesPhaseNamesAndMessagesInAttributes) {
  std::string xml =
      Write({PhaseFinished("a\"<b>&", PhaseState::kTimedOut, 1, 1).Reason("timed out\nafter 30m")});
  EXPECT_EQ(XmlProblem(xml), "") << xml;
  EXPECT_NE(xml.find("name=\"a&quot;&lt;b&gt;&amp;\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("message=\"timed out&#10;after 30m\" type=\"timed-out\""), std::string::npos)
      << xml;
}

TEST_F(JunitWriterTest, PhaseRunningAtCloseIsAnInterruptedError) {
  std::string xml = Write({PhaseStarted("api", 0, 0)});
  EXPECT_EQ(XmlProblem(xml), "") << xml;
  EXPECT_NE(xml.find("errors=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<error message=\"still running when the run stopped\" "
                     "type=\"interrupted\">"),
            std::string::npos)
      << xml;
}

TEST_F(JunitWriterTest, EmptyRunIsAnEmptySuite) {
  std::string xml = Write({});
  EXPECT_EQ(XmlProblem(xml), "") << xml;
  EXPECT_NE(xml.find("tests=\"0\""), std::string::npos) << xml;
}

TEST(XmlCheckTest, CatchesUnescapedText) {
  EXPECT_NE(XmlProblem("<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>x & y</a>"), "");
  EXPECT_NE(XmlProblem("<?xml version=\"1.0\" encoding=\"UTF-8\"?><a b=\"<\"></a>"), "");
  EXPECT_NE(XmlProblem("<?xml version=\"1.0\" encoding=\"UTF-8\"?><a><b></a>"), "");
}

}  // namespace
}  // namespace orchestrate
