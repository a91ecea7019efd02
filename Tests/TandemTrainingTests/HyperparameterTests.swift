import Testing

@testable import TandemTraining

/// hyperparameters.json as SageMaker passes it: XGBoost's names, every value a string.
@Suite struct HyperparameterTests {
    @Test func xgboostNamesAndDefaults() throws {
        let p = try Hyperparameters(strings: [
            "objective": "multi:softprob", "num_class": "3", "num_round": "50", "max_depth": "4", "eta": "0.1",
            "min_child_weight": "2", "lambda": "2", "alpha": "0.5", "gamma": "0.1", "subsample": "0.8",
            "colsample_bytree": "0.7", "seed": "7", "early_stopping_rounds": "5", "eval_metric": "mlogloss,merror",
            "tree_method": "hist",
        ])
        #expect(p.objective == .multiSoftprob && p.numClass == 3 && p.numRound == 50 && p.maxDepth == 4)
        #expect(p.eta == 0.1 && p.minChildWeight == 2 && p.lambda == 2 && p.alpha == 0.5 && p.gamma == 0.1)
        #expect(p.subsample == 0.8 && p.colsampleBytree == 0.7 && p.seed == 7 && p.earlyStoppingRounds == 5)
        #expect(p.metrics == [.mlogloss, .merror])
        let d = try Hyperparameters(strings: [:])
        #expect(d.objective == .squaredError && d.numRound == 100 && d.maxDepth == 6 && d.eta == 0.3 && d.metrics == [.rmse])
        #expect(try Hyperparameters(strings: ["booster": "gblinear"]).eta == 0.5)
    }

    @Test func errorsNameTheHyperparameter() {
        func message(_ h: [String: String]) -> String {
            do {
                _ = try Hyperparameters(strings: h)
                return ""
            } catch {
                return error.message
            }
        }
        #expect(message(["max_depth": "six"]) == "hyperparameter max_depth = 'six' is not an integer")
        #expect(message(["eta": "2"]) == "hyperparameter eta = 2 is outside 0.0...1.0")
        #expect(message(["objective": "rank:pairwise"]).hasPrefix("objective 'rank:pairwise' is not supported"))
        #expect(message(["objective": "multi:softmax"]) == "objective multi:softmax needs the hyperparameter num_class")
        #expect(message(["max_dept": "3"]) == "unknown hyperparameter 'max_dept'")
        #expect(message(["eval_metric": "ndcg"]).hasPrefix("eval_metric 'ndcg' is not supported"))
        #expect(message(["csv_weights": "1"]).hasPrefix("csv_weights = 1: instance weights are not supported"))
        #expect(message(["sagemaker_region": "\"eu-west-1\"", "_tuning_objective_metric": "validation:auc", "csv_weights": "0"]) == "")
    }
}
