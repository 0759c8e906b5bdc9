# BioAge's side of tests/bench/bioage_side_by_side.sh (which documents it).
# Sources BioAge's R files from a snapshot (nothing of BioAge is copied here) and
#   prep   SNAP FIXTURES WORK: writes WORK/hd_reference.csv, the young healthy NHANES III
#          people that BioAge's hd_nhanes() selects (its own selection, evaluated from the snapshot)
#   time   SNAP FIXTURES WORK: one timed round; appends to WORK/bioage_times.tsv, saves WORK/bioage.rds
#   report SNAP FIXTURES WORK CLOCKS_CSV: agreement with our clocks.csv and the timing table
args <- commandArgs(TRUE)
mode <- args[1]; snap <- args[2]; fx <- args[3]; work <- args[4]
suppressPackageStartupMessages({ library(dplyr); library(survey) })
options(lifecycle_verbosity = "quiet") # BioAge's select(dat, bm) deprecation note
for (f in c("phenoage_calc.R", "kdm_calc.R", "kdm_nhanes.R", "hd_calc.R", "hd_nhanes.R"))
  source(file.path(snap, "R", f))
pa9 <- c("albumin_gL", "lymph", "mcv", "glucose_mmol", "rdw", "creat_umol", "lncrp", "alp", "wbc")
# our column names (fixtures README) -> BioAge's
names_map <- c(sample_id = "sampleID", sex_1male_2female = "gender", age_years = "age",
               albumin_g_per_L = "albumin_gL", creatinine_umol_per_L = "creat_umol",
               glucose_mmol_per_L = "glucose_mmol", crp_mg_per_dL = "crp", lymphocyte_percent = "lymph",
               mcv_fL = "mcv", rdw_percent = "rdw", alp_U_per_L = "alp", wbc_1000_cells_per_uL = "wbc")
read_table <- function(path) {
  d <- read.csv(path, stringsAsFactors = FALSE)
  hit <- names(d) %in% names(names_map)
  names(d)[hit] <- names_map[names(d)[hit]]
  d$lncrp <- log(1 + d$crp) # BioAge's CRP input, ln(1 + CRP mg/dL)
  d
}
hd_ref <- file.path(work, "hd_reference.csv")
nh4 <- file.path(fx, "nhanes4_cohort.csv"); nh3 <- file.path(fx, "nhanes3_cohort.csv")

if (mode == "prep") {
  sel <- body(hd_nhanes)[[2]] # `train = NHANES3 %>% filter(age 20-30, not pregnant, bmi < 30) %>% mutate(<ranges>)`
  stopifnot(identical(sel[[2]], as.name("train")))
  e <- new.env(); load(file.path(snap, "data", "NHANES3.rda"), envir = e)
  train <- eval(sel[[3]], e)
  out <- train[, c(unname(names_map), "pregnant")]
  names(out) <- c(names(names_map), "pregnant")
  num <- vapply(out, is.numeric, TRUE)
  out[num] <- lapply(out[num], function(x) ifelse(is.na(x), "", sprintf("%.17g", x)))
  write.csv(out, hd_ref, row.names = FALSE, quote = FALSE)
  cat(sprintf("HD reference: %d rows (BioAge hd_nhanes selection from NHANES3.rda) -> %s\n", nrow(out), hd_ref))
} else if (mode == "time") {
  fit_csv <- read.csv(file.path(fx, "phenoage_retrained_params_nhanes3.csv"))
  p <- setNames(fit_csv$value, fit_csv$parameter)
  # the fit argument that lets phenoage_calc skip flexsurv: the Modified-Levine fit stored in the fixtures
  fit <- list(coef = data.frame(coef = p[paste0("gompertz_", c("shape", "rate", pa9, "age"))],
                                row.names = c("shape", "rate", pa9, "age")),
              m_n = p[["m_n"]], m_d = p[["m_d"]], BA_n = p[["BA_n"]], BA_d = p[["BA_d"]], BA_i = p[["BA_i"]])
  el <- function(expr) { t0 <- proc.time()[["elapsed"]]; force(expr); proc.time()[["elapsed"]] - t0 }
  t_read <- el({ d4 <- read_table(nh4); d3 <- read_table(nh3); href <- read_table(hd_ref) })
  t_pheno <- el(pa <- phenoage_calc(d4, pa9, fit = fit, orig = TRUE))
  NHANES3 <- d3; NHANES4 <- d4 # what kdm_nhanes() reads
  t_kdm <- el(kd <- kdm_nhanes(pa9))
  t_hd <- el({
    hf <- hd_calc(filter(d4, gender == 2), filter(href, gender == 2), pa9)
    hm <- hd_calc(filter(d4, gender == 1), filter(href, gender == 1), pa9)
    hd <- left_join(d4, rbind(hf$data, hm$data)[, c("sampleID", "hd", "hd_log")], by = "sampleID")
  })
  res <- data.frame(sample_id = d4$sampleID, phenoage = pa$data$phenoage0,
                    kdm = kd$data$kdm[match(d4$sampleID, kd$data$sampleID)],
                    hd = hd$hd, hd_log = hd$hd_log)
  t_write <- el(write.csv(res, file.path(work, "bioage_clocks.csv"), row.names = FALSE))
  saveRDS(res, file.path(work, "bioage.rds"))
  tf <- file.path(work, "bioage_times.tsv")
  write.table(data.frame(rows = nrow(d4), read = t_read, phenoage = t_pheno, kdm = t_kdm, hd = t_hd, write = t_write),
              tf, sep = "\t", row.names = FALSE, col.names = !file.exists(tf), append = file.exists(tf))
} else if (mode == "report") {
  res <- readRDS(file.path(work, "bioage.rds"))
  ours <- read.csv(args[5], stringsAsFactors = FALSE)
  j <- match(res$sample_id, ours$sample_id)
  cat(sprintf("\nAgreement on %d NHANES IV people (joined on sample_id):\n", nrow(res)))
  for (v in c("phenoage", "kdm", "hd", "hd_log")) {
    a <- res[[v]]; b <- ours[[v]][j]
    both <- !is.na(a) & !is.na(b)
    d <- abs(a[both] - b[both])
    cat(sprintf("  %-8s both %6d, BioAge only %4d, ours only %4d, max |diff| %.3g (%d over 1e-9; max %.3g without them)\n",
                v, sum(both), sum(!is.na(a) & is.na(b)), sum(is.na(a) & !is.na(b)), max(d), sum(d > 1e-9), max(d[d <= 1e-9])))
  }
  th <- read.table(file.path(work, "bioage_times.tsv"), header = TRUE)
  ot <- read.table(file.path(work, "ours_times.tsv"), header = TRUE)
  n <- th$rows[1]; med <- function(x) median(x)
  show <- function(what, theirs, ours_cfg) {
    o <- if (is.na(ours_cfg)) NA else med(ot$seconds[ot$config == ours_cfg])
    cat(sprintf("| %s | %.3f | %.0f | %s | %s | %s |\n", what, theirs, n / theirs,
                ifelse(is.na(o), "", sprintf("%.3f", o)), ifelse(is.na(o), "", sprintf("%.0f", n / o)),
                ifelse(is.na(o), "", sprintf("%.2f", o / theirs))))
  }
  cat(sprintf("\nMedian of %d rounds, %d rows (NHANES IV); ours = the whole `bioforge run age clocks` process\n\n", nrow(th), n))
  cat("| BioAge step | BioAge s | BioAge rows/s | ours s | ours rows/s | ours/theirs |\n|---|---:|---:|---:|---:|---:|\n")
  cat(sprintf("| (ours: the same run on the 200-row fixture, a run's fixed cost) | | | %.3f | | |\n", med(ot$seconds[ot$config == "fixed"])))
  show("read 3 CSVs (read.csv)", med(th$read), NA)
  show("phenoage_calc (published) vs ours phenoage", med(th$phenoage), "phenoage")
  show("kdm_nhanes (train NHANES III + project)", med(th$kdm), NA)
  show("hd_calc x 2 sexes + join", med(th$hd), NA)
  show("write.csv", med(th$write), NA)
  show("phenoage + kdm vs ours --kdm_reference", med(th$phenoage + th$kdm), "kdm")
  show("phenoage + hd vs ours --hd_reference", med(th$phenoage + th$hd), "hd")
  show("the three calls vs ours, all clocks", med(th$phenoage + th$kdm + th$hd), "all")
  show("read + calls + write vs ours, all clocks", med(th$read + th$phenoage + th$kdm + th$hd + th$write), "all")
}
