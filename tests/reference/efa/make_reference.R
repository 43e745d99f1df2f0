# Reference values for belonging.efa and belonging.parallel_analysis (tests/psychometrics/test_efa.py).
#
# Data: the 25 psych::bfi items (tests/reference/data/bfi.csv, written by
# tests/reference/reliability/make_reference.R), listwise complete rows, Pearson correlations.
# Items are analysed as answered (no reverse keying), as psych's own fa examples do.
#
# Run from the repository root:  Rscript tests/reference/efa/make_reference.R
suppressPackageStartupMessages({
  library(psych)
  library(GPArotation)
})
out <- "tests/reference/efa"
fmt <- function(df) {
  for (nm in names(df)) if (is.numeric(df[[nm]])) df[[nm]] <- sprintf("%.17g", df[[nm]])
  df
}
writeLines(c(R.version.string,
             paste("psych", as.character(packageVersion("psych"))),
             paste("GPArotation", as.character(packageVersion("GPArotation")))),
           file.path(out, "versions.txt"))

bfi <- read.csv("tests/reference/data/bfi.csv")
x <- na.omit(bfi[, 1:25])
r <- cor(x)
n <- nrow(x)

long <- function(m, what, fm, rotate) {
  data.frame(fm = fm, rotate = rotate, what = what,
             row = rep(rownames(m), times = ncol(m)), col = rep(seq_len(ncol(m)), each = nrow(m)),
             value = as.vector(m))
}
rows <- list(); vecs <- list()
for (fm in c("ml", "minres")) {
  for (rotate in c("none", "oblimin")) {
    f <- psych::fa(x, nfactors = 5, fm = fm, rotate = rotate, warnings = FALSE)
    L <- unclass(f$loadings)
    rows[[length(rows) + 1]] <- long(L, "loadings", fm, rotate)
    if (!is.null(f$Phi)) {
      P <- f$Phi; rownames(P) <- seq_len(nrow(P))
      rows[[length(rows) + 1]] <- long(P, "phi", fm, rotate)
    }
    vecs[[length(vecs) + 1]] <- data.frame(fm = fm, rotate = rotate, item = colnames(r),
      communality = f$communality, uniqueness = f$uniquenesses)
  }
}
write.csv(fmt(do.call(rbind, rows)), file.path(out, "fa_matrices.csv"), row.names = FALSE)
write.csv(fmt(do.call(rbind, vecs)), file.path(out, "fa_items.csv"), row.names = FALSE)

# Parallel analysis on simulated normal data (correlation matrix + n.obs => no resampling),
# eigenvalues of R ("pc") and of R with squared multiple correlations on the diagonal ("fa", SMC = TRUE),
# compared with the 95th percentile of the simulated eigenvalues.
set.seed(20240601)
pa <- psych::fa.parallel(r, n.obs = n, fa = "both", SMC = TRUE, n.iter = 500, quant = 0.95,
                         plot = FALSE)
write.csv(fmt(data.frame(component = seq_len(ncol(r)), n_obs = n,
  pc_observed = pa$pc.values, fa_observed = pa$fa.values,
  pc_simulated_mean = pa$pc.sim, fa_simulated_mean = pa$fa.sim,
  pc_simulated_q95 = apply(pa$values[, 1:ncol(r)], 2, quantile, 0.95),
  fa_simulated_q95 = apply(pa$values[, (ncol(r) + 1):(2 * ncol(r))], 2, quantile, 0.95))),
  file.path(out, "parallel.csv"), row.names = FALSE)
writeLines(c(paste("ncomp", pa$ncomp), paste("nfact", pa$nfact)), file.path(out, "parallel_n.txt"))
