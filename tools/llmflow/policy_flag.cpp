#include "policy_flag.h"

#include "decima/policy.h"
#include "decima/scheduler.h"

#include "llvm/Support/raw_ostream.h"

namespace llmflow::cli {

OptionSpec policyOption() {
  return {"policy", true, "the trained policy of --scheduler decima (llmflow decima train; docs/decima.md)",
          "POLICY.json"};
}

bool loadPolicyFlag(const std::string &path, const std::vector<std::pair<const ir::Module *, const ir::App *>> &apps,
                    std::function<std::unique_ptr<sched::Scheduler>()> &factory) {
  auto policy = decima::readPolicy(path);
  if (!policy) {
    llvm::errs() << "llmflow: " << llvm::toString(policy.takeError()) << "\n";
    return false;
  }
  for (auto [m, app] : apps)
    if (llvm::Error e = decima::checkPolicy(*policy, *m, *app)) {
      llvm::errs() << "llmflow: " << path << ": " << llvm::toString(std::move(e)) << "\n";
      return false;
    }
  auto shared = std::make_shared<const decima::Policy>(std::move(*policy));
  factory = [shared] { return std::make_unique<decima::DecimaScheduler>(*shared, decima::DecimaOptions{}); };
  return true;
}

} // namespace llmflow::cli
