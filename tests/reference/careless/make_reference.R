# Reference values for belonging.quality.careless (careless-responding indices).
#
# The R package careless (Yentes & Wilhelm) is not in Debian and CRAN is not reachable from the build
# machine, so its documented definitions are computed here independently in base R (plus psych,
# whose psych::outlier is what careless::mahad calls):
#   longstring(x, avg = TRUE)   longest and mean run length of rle() over each row
#   irv(x, na.rm = TRUE, split) sd() of each row; blocks by cut(seq_along(items), num.split)
#   mahad(x)                    psych::outlier(x, na.rm = TRUE); flag df = ncol(x)
#   evenodd(x, factors)         even/odd half means per factor, cor across factors
#                               (pairwise), Spearman-Brown 2r/(1+r), bounded at -1, negated
#   psychsyn(x, critval, anto)  item pairs with cor(x, use = "pairwise") > critval (< -critval
#                               for antonyms) in the lower triangle; per person the Pearson
#                               correlation over the pairs answered, when more than two
#                               (resample_na = FALSE)
# Run from the repository root:  Rscript tests/reference/careless/make_reference.R
# Writes data.csv, indices.csv, pairs.csv and versions.txt beside this script.

out_dir <- "tests/reference/careless"
set.seed(20261128)

n <- 400
factors <- c(5, 4, 5)              # three factors, 14 items, 5-point scale (1..5)
k <- sum(factors)
reverse <- c(2, 7, 11)             # reverse-keyed items (answers written reversed)
loadings <- 0.9

latent <- matrix(rnorm(n * length(factors)), n, length(factors))
fac_of <- rep(seq_along(factors), factors)
cont <- sapply(seq_len(k), function(j) loadings * latent[, fac_of[j]] + sqrt(1 - loadings^2) * rnorm(n))
x <- matrix(as.numeric(cut(cont, c(-Inf, -1.2, -0.4, 0.4, 1.2, Inf))), n, k)
x[, reverse] <- 6 - x[, reverse]

# careless responders: straight-liners, random responders, a saw-tooth pattern
straight <- 1:12
x[straight, ] <- matrix(sample(1:5, length(straight), replace = TRUE), length(straight), k)
randoms <- 13:24
x[randoms, ] <- matrix(sample(1:5, length(randoms) * k, replace = TRUE), length(randoms), k)
x[25, ] <- rep(c(1, 5), length.out = k)
x[26, 1:7] <- 3                      # half straight-lined
# item nonresponse: 4% of cells, one respondent with nothing, one with a single answer
miss <- matrix(runif(n * k) < 0.04, n, k)
miss[1:26, ] <- FALSE
x[miss] <- NA
x[27, ] <- NA
x[28, -3] <- NA
colnames(x) <- sprintf("i%02d", seq_len(k))

# ---- indices --------------------------------------------------------------------------------------
rle_stats <- t(apply(x, 1, function(r) { l <- rle(r)$lengths; c(max(l), mean(l)) }))

row_sd <- function(m) apply(m, 1, sd, na.rm = TRUE)
bins <- cut(seq_len(k), 3, labels = FALSE)
irv_total <- row_sd(x)
irv_split <- sapply(1:3, function(b) row_sd(x[, bins == b, drop = FALSE]))

all_na <- apply(x, 1, function(r) all(is.na(r)))
d2 <- rep(NA_real_, n)
d2[!all_na] <- as.numeric(psych::outlier(x[!all_na, ], plot = FALSE, bad = 0, na.rm = TRUE))
d2_p <- pchisq(d2, df = ncol(x), lower.tail = FALSE)

xr <- x
xr[, reverse] <- 6 - xr[, reverse]
evenodd_one <- function(r) {
  f <- matrix(NA_real_, length(factors), 2)
  start <- 1
  for (j in seq_along(factors)) {
    s <- r[start:(start + factors[j] - 1)]
    start <- start + factors[j]
    idx <- seq_along(s)
    f[j, 1] <- mean(s[idx %% 2 == 0], na.rm = TRUE)
    f[j, 2] <- mean(s[idx %% 2 == 1], na.rm = TRUE)
  }
  v <- suppressWarnings(cor(f[, 1], f[, 2], use = "pairwise.complete.obs"))
  v <- 2 * v / (1 + v)
  if (!is.na(v) && v < -1) v <- -1
  -v
}
eo <- apply(xr, 1, evenodd_one)

synonym_pairs <- function(m, critval, anto) {
  r <- cor(m, use = "pairwise.complete.obs")
  r[upper.tri(r, diag = TRUE)] <- NA
  which(if (anto) r < -critval else r > critval, arr.ind = TRUE)
}
syn_one <- function(r, pairs) {
  ok <- !(is.na(r[pairs[, 1]]) | is.na(r[pairs[, 2]]))
  if (sum(ok) > 2) {
    v <- suppressWarnings(cor(r[pairs[, 1]], r[pairs[, 2]], use = "pairwise.complete.obs"))
  } else v <- NA_real_
  c(sum(ok), v)
}
syn_pairs <- synonym_pairs(x, 0.60, FALSE)
ant_pairs <- synonym_pairs(x, 0.60, TRUE)
syn <- t(apply(x, 1, syn_one, syn_pairs))
ant <- t(apply(x, 1, syn_one, ant_pairs))

# ---- write ----------------------------------------------------------------------------------------
fmt <- function(v) ifelse(is.na(v), "NA", trimws(formatC(v, digits = 17, format = "g")))
write.csv(data.frame(x), file.path(out_dir, "data.csv"), row.names = FALSE, na = "")
ind <- data.frame(
  longstr = rle_stats[, 1], avgstr = fmt(rle_stats[, 2]),
  irv = fmt(irv_total), irv1 = fmt(irv_split[, 1]), irv2 = fmt(irv_split[, 2]), irv3 = fmt(irv_split[, 3]),
  mahad = fmt(d2), mahad_p = fmt(d2_p), evenodd = fmt(eo),
  psychsyn = fmt(syn[, 2]), psychsyn_pairs = syn[, 1], psychant = fmt(ant[, 2]), psychant_pairs = ant[, 1]
)
write.csv(ind, file.path(out_dir, "indices.csv"), row.names = FALSE, quote = FALSE)
pairs <- rbind(
  data.frame(kind = "synonym", item_a = colnames(x)[syn_pairs[, 1]], item_b = colnames(x)[syn_pairs[, 2]]),
  data.frame(kind = "antonym", item_a = colnames(x)[ant_pairs[, 1]], item_b = colnames(x)[ant_pairs[, 2]])
)
write.csv(pairs, file.path(out_dir, "pairs.csv"), row.names = FALSE, quote = FALSE)
writeLines(c(R.version.string, paste("psych", as.character(packageVersion("psych"))),
             "careless: not installed (definitions computed in base R; see make_reference.R)",
             "factors = 5,4,5; reverse = i02,i07,i11; scale 1..5; critval = 0.60"),
           file.path(out_dir, "versions.txt"))
