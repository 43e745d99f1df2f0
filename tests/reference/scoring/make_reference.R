# Reference scale scores for belonging.score, from R psych::scoreItems on psych's bfi data.
# Run from this folder: Rscript make_reference.R
# Writes: scores_mean.csv (impute = "none", totals = FALSE: mean of answered items),
#         scores_sum.csv  (impute = "none", totals = TRUE: sum of answered items),
#         versions.txt. The bfi items themselves are in ../data/bfi.csv (same row order).
suppressPackageStartupMessages(library(psych))
data(bfi, package = "psychTools")
items <- bfi[, 1:25]
keys <- list(
  agree = c("-A1", "A2", "A3", "A4", "A5"),
  conscientious = c("C1", "C2", "C3", "-C4", "-C5"),
  extraversion = c("-E1", "-E2", "E3", "E4", "E5"),
  neuroticism = c("N1", "N2", "N3", "N4", "N5"),
  openness = c("O1", "-O2", "O3", "O4", "-O5")
)
mean_scores <- scoreItems(keys, items, impute = "none", min = 1, max = 6, totals = FALSE)$scores
sum_scores <- scoreItems(keys, items, impute = "none", min = 1, max = 6, totals = TRUE)$scores
write.csv(format(as.data.frame(mean_scores), digits = 17), "scores_mean.csv", row.names = FALSE, quote = FALSE)
write.csv(format(as.data.frame(sum_scores), digits = 17), "scores_sum.csv", row.names = FALSE, quote = FALSE)
writeLines(c(R.version.string, paste("psych", packageVersion("psych")),
             paste("psychTools", packageVersion("psychTools"))), "versions.txt")
