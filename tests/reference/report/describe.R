# Reference values for belonging.report._data.describe: mean, sd and t-based CI of a score,
# overall and per group, and the share above a cut.  Run: Rscript describe.R > describe.json
cat(sprintf('{"R": "%s",\n', R.version.string))
x <- c(12, 15.5, 9, 22, 18, 17.25, 11, 14, 30, 25, 8, 19, 21.5, 16, 13, NA, 24, 20, 10, 27)
g <- c(rep("a", 8), rep("b", 12))
one <- function(v, conf) {
  v <- v[!is.na(v)]
  tt <- t.test(v, conf.level = conf)
  sprintf('{"n": %d, "mean": %.17g, "sd": %.17g, "ci_low": %.17g, "ci_high": %.17g, "n_favourable": %d}',
          length(v), mean(v), sd(v), tt$conf.int[1], tt$conf.int[2], sum(v > 16))
}
cat(sprintf('"x": [%s],\n', paste(ifelse(is.na(x), "null", format(x, digits = 17)), collapse = ", ")))
cat(sprintf('"g": [%s],\n', paste0('"', g, '"', collapse = ", ")))
cat(sprintf('"all_95": %s,\n', one(x, 0.95)))
cat(sprintf('"all_90": %s,\n', one(x, 0.90)))
cat(sprintf('"a_95": %s,\n', one(x[g == "a"], 0.95)))
cat(sprintf('"b_95": %s\n}\n', one(x[g == "b"], 0.95)))
