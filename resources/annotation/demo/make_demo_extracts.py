#!/usr/bin/env python3
"""Writes the annotation demo's bulk extracts (run once; the outputs are committed).

Identifiers come from HGNC's own rows (hgnc_complete_set.panel.txt: a 2025
export's rows for a kidney panel) and MANE ids from them; every evidence value
(constraint, expression, variants, phenotypes, interactions, proteins,
publications, coordinates) is SYNTHESIZED, deterministically from the symbol,
in each provider's real file layout. They exercise the product; they are not
evidence about these genes. Usage: python3 make_demo_extracts.py (in this folder).
"""
import csv, gzip, hashlib, io

rows = list(csv.DictReader(open('hgnc_complete_set.panel.txt', encoding='utf-8'), delimiter='\t'))

def u(symbol, salt):  # a stable number in [0, 1) from the symbol
    return int(hashlib.sha256((symbol + salt).encode()).hexdigest()[:12], 16) / float(1 << 48)

def lst(v):
    return [x for x in v.strip('"').split('|') if x]

def write(name, text, gz=False):
    data = text.encode('utf-8')
    if gz:
        with gzip.GzipFile(name, 'wb', mtime=0) as f:
            f.write(data)
    else:
        open(name, 'wb').write(data)

# gnomAD v4.1 constraint_metrics layout (the columns the import reads and some it does not).
cols = ['gene', 'gene_id', 'transcript', 'canonical', 'mane_select', 'lof.obs', 'lof.exp', 'lof.possible', 'lof.oe', 'lof.mu',
        'lof.pLI', 'lof.pNull', 'lof.pRec', 'lof.oe_ci.lower', 'lof.oe_ci.upper', 'lof.z_score', 'mis.obs', 'mis.exp', 'mis.oe',
        'mis.oe_ci.lower', 'mis.oe_ci.upper', 'mis.z_score', 'syn.obs', 'syn.exp', 'syn.oe', 'syn.oe_ci.lower', 'syn.oe_ci.upper',
        'syn.z_score', 'constraint_flags', 'level', 'transcript_type', 'chromosome', 'cds_length', 'num_coding_exons']
out = ['\t'.join(cols)]
for r in rows:
    s = r['symbol']
    mane = lst(r['mane_select'])
    for tx, gid, canonical in ((mane[0].split('.')[0] if mane else 'ENST' + str(int(u(s, 't') * 1e11)).zfill(11), r['ensembl_gene_id'], 'true'),
                               (mane[1] if len(mane) > 1 else 'NM_000000.1', r['entrez_id'], 'true')):
        oe = round(0.05 + 1.2 * u(s, 'oe'), 3)
        v = {'gene': s, 'gene_id': gid, 'transcript': tx, 'canonical': canonical, 'mane_select': 'true' if mane else 'false',
             'lof.oe': oe, 'lof.oe_ci.lower': round(oe * 0.7, 3), 'lof.oe_ci.upper': round(oe * 1.35, 3), 'lof.pLI': round(max(0.0, 1 - oe * 1.1), 4),
             'lof.z_score': round(6 * (0.6 - oe), 3), 'mis.z_score': round(4 * (0.5 - u(s, 'mz')), 3), 'syn.z_score': round(2 * (0.5 - u(s, 'sz')), 3),
             'mis.oe': round(0.5 + u(s, 'mo'), 3), 'syn.oe': round(0.8 + 0.4 * u(s, 'so'), 3), 'constraint_flags': '[]',
             'level': '1', 'transcript_type': 'protein_coding', 'chromosome': 'chr' + r['location'].split('p')[0].split('q')[0]}
        out.append('\t'.join(str(v.get(c, round(10 + 100 * u(s, c), 2))) for c in cols))
write('demo_gnomad_constraint_metrics.tsv', '\n'.join(out) + '\n')

# GTEx GCT 1.2: real tissue names; values synthesized, the kidney higher for kidney-expressed panel genes.
tissues = ['Adipose - Subcutaneous', 'Brain - Cortex', 'Heart - Left Ventricle', 'Kidney - Cortex', 'Kidney - Medulla', 'Liver', 'Lung',
           'Muscle - Skeletal', 'Skin - Sun Exposed (Lower leg)', 'Whole Blood']
out = ['#1.2', '%d\t%d' % (len(rows), len(tissues)), '\t'.join(['Name', 'Description'] + tissues)]
for r in rows:
    s = r['symbol']
    out.append('\t'.join([r['ensembl_gene_id'] + '.' + str(1 + int(u(s, 'v') * 20)), s] +
                         ['%.3f' % ((200 if 'Kidney' in t else 20) * u(s, t)) for t in tissues]))
write('demo_GTEx_gene_median_tpm.gct.gz', '\n'.join(out) + '\n', gz=True)

# ClinVar variant_summary layout; per gene a few variations, some on both assemblies; the awkward rows of the reference.
header = ['#AlleleID', 'Type', 'Name', 'GeneID', 'GeneSymbol', 'HGNC_ID', 'ClinicalSignificance', 'ClinSigSimple', 'LastEvaluated', 'RS# (dbSNP)',
          'nsv/esv (dbVar)', 'RCVaccession', 'PhenotypeIDS', 'PhenotypeList', 'Origin', 'OriginSimple', 'Assembly', 'ChromosomeAccession',
          'Chromosome', 'Start', 'Stop', 'ReferenceAllele', 'AlternateAllele', 'Cytogenetic', 'ReviewStatus', 'NumberSubmitters', 'Guidelines',
          'TestedInGTR', 'OtherIDs', 'SubmitterCategories', 'VariationID', 'PositionVCF', 'ReferenceAlleleVCF', 'AlternateAlleleVCF']
sig = ['Pathogenic', 'Likely pathogenic', 'Pathogenic/Likely pathogenic', 'Uncertain significance', 'Likely benign', 'Benign',
       'Conflicting classifications of pathogenicity', 'Benign/Likely benign', 'not provided']
review = ['criteria provided, single submitter', 'criteria provided, multiple submitters, no conflicts', 'reviewed by expert panel',
          'no assertion criteria provided', 'criteria provided, conflicting classifications']
changes = ['(p.Arg{n}Trp)', '(p.Gly{n}fs)', '(p.Arg{n}Ter)', '(p.Leu{n}=)', '(p.Cys{n}Tyr)', '']
out = ['\t'.join(header)]
vid = 500000
for r in rows:
    s = r['symbol']
    chrom = r['location'].split('p')[0].split('q')[0]
    nm = lst(r['mane_select'])[1] if len(lst(r['mane_select'])) > 1 else 'NM_000000.1'
    for k in range(2 + int(6 * u(s, 'nv'))):
        vid += 1
        n = 10 + int(2000 * u(s, 'p%d' % k))
        ch = changes[int(len(changes) * u(s, 'c%d' % k))].format(n=n)
        name = '%s(%s):c.%d%s>%s %s' % (nm, s, 3 * n, 'C', 'T', ch) if ch else '%s(%s):c.%d-%dA>G' % (nm, s, 3 * n, 1 + int(30 * u(s, 'i%d' % k)))
        cls = sig[int(len(sig) * u(s, 's%d' % k))]
        rev = review[int(len(review) * u(s, 'r%d' % k))]
        trait = 'Kidney disease (demo)' if u(s, 'tr%d' % k) < 0.7 else 'not provided'
        for assembly in (['GRCh37', 'GRCh38'] if k % 3 == 0 else ['GRCh38']):
            out.append('\t'.join([str(vid), 'single nucleotide variant', name, r['entrez_id'], s, r['hgnc_id'], cls, '1', '-', '-1', '-', 'RCV000000000',
                                  '-', trait, 'germline', 'germline', assembly, 'NC_0000%s' % chrom.zfill(2), chrom, str(1000 * n), str(1000 * n),
                                  'na', 'na', r['location'], rev, '1', '-', 'N', '-', '1', str(vid), str(1000 * n), 'C', 'T']))
# A deletion over two panel genes (a multi-gene row).
out.append('\t'.join(['900001', 'copy number loss', 'GRCh38/hg38 16p13.3(chr16:2000000-2200000)x1', '-1', 'PKD1;TSC2', '-', 'Pathogenic', '1', '-', '-1',
                      '-', 'RCV000000001', '-', 'Polycystic kidney disease (demo)', 'germline', 'germline', 'GRCh38', 'NC_000016.10', '16', '2000000', '2200000',
                      'na', 'na', '16p13.3', 'no assertion criteria provided', '1', '-', 'N', '-', '1', '900001', '2000000', 'na', 'na']))
write('demo_clinvar_variant_summary.txt.gz', '\n'.join(out) + '\n', gz=True)

# HPO: genes_to_phenotype (current layout, plain header) and a hp.obo subset with real ids and names.
terms = [('HP:0000001', 'All', None), ('HP:0000118', 'Phenotypic abnormality', 'HP:0000001'),
         ('HP:0000079', 'Abnormality of the urinary system', 'HP:0000118'), ('HP:0010935', 'Abnormality of the upper urinary tract', 'HP:0000079'),
         ('HP:0000077', 'Abnormality of the kidney', 'HP:0010935'), ('HP:0012210', 'Abnormal renal morphology', 'HP:0000077'),
         ('HP:0000107', 'Renal cyst', 'HP:0012210'), ('HP:0000113', 'Polycystic kidney dysplasia', 'HP:0000107'),
         ('HP:0000093', 'Proteinuria', 'HP:0000079'), ('HP:0000100', 'Nephrotic syndrome', 'HP:0000077'), ('HP:0000790', 'Hematuria', 'HP:0000079'),
         ('HP:0000083', 'Renal insufficiency', 'HP:0000077'), ('HP:0001407', 'Hepatic cysts', 'HP:0000118'), ('HP:0000365', 'Hearing impairment', 'HP:0000118')]
obo = ['format-version: 1.2', 'data-version: demo (a subset of HPO terms; not a release)', '']
for i, name, parent in terms:
    obo += ['[Term]', 'id: ' + i, 'name: ' + name] + (['is_a: %s ! %s' % (parent, dict((a, b) for a, b, _ in terms)[parent])] if parent else []) + ['']
write('demo_hp.obo', '\n'.join(obo))
out = ['ncbi_gene_id\tgene_symbol\thpo_id\thpo_name\tfrequency\tdisease_id']
for r in rows:
    s = r['symbol']
    for k, (i, name, _) in enumerate(terms[5:]):
        if u(s, 'h' + i) < 0.35:
            out.append('\t'.join([r['entrez_id'], s, i, name, '-', 'OMIM:%s' % (lst(r['omim_id']) or ['000000'])[0]]))
write('demo_genes_to_phenotype.txt', '\n'.join(out) + '\n')

# MGI HMD_HumanPhenotype.rpt (no header): human symbol, NCBI gene id, mouse symbol, MGI id (demo, not real), MP ids.
out = []
for r in rows:
    s = r['symbol']
    mp = ['MP:0005367'] if u(s, 'mk') < 0.6 else []
    mp += ['MP:0005385', 'MP:0005376'][: 1 + int(2 * u(s, 'mo'))]
    out.append('\t'.join([s, r['entrez_id'], s.capitalize(), 'MGI:demo-' + s.capitalize(), ' '.join(mp), '']))
write('demo_HMD_HumanPhenotype.rpt', '\n'.join(out) + '\n')

# STRING v12 layouts with demo protein ids.
pid = {r['symbol']: '9606.DEMO' + str(i).zfill(5) for i, r in enumerate(rows)}
write('demo_9606.protein.info.txt', '#string_protein_id\tpreferred_name\tprotein_size\tannotation\n' +
      ''.join('%s\t%s\t%d\t%s (demo)\n' % (pid[r['symbol']], r['symbol'], 300 + int(3000 * u(r['symbol'], 'len')), r['name']) for r in rows))
links = ['protein1 protein2 combined_score']
for a in rows:
    for b in rows:
        if a is not b and u(a['symbol'] + b['symbol'] if a['symbol'] < b['symbol'] else b['symbol'] + a['symbol'], 'link') < 0.15:
            links.append('%s %s %d' % (pid[a['symbol']], pid[b['symbol']], 150 + int(849 * u(min(a['symbol'], b['symbol']) + max(a['symbol'], b['symbol']), 's'))))
write('demo_9606.protein.physical.links.txt.gz', '\n'.join(links) + '\n', gz=True)
write('demo_9606.protein.aliases.txt', '#string_protein_id\talias\tsource\n' +
      ''.join('%s\t%s\tEnsembl_gene\n' % (pid[r['symbol']], r['ensembl_gene_id']) for r in rows if u(r['symbol'], 'al') < 0.8))

# Ensembl GTF (real gene and MANE transcript ids; coordinates and exons synthesized) and the MANE summary.
gtf = ['#!genome-build demo', '#!genome-version demo']
mane = ['#NCBI_GeneID\tEnsembl_Gene\tHGNC_ID\tsymbol\tname\tRefSeq_nuc\tRefSeq_prot\tEnsembl_nuc\tEnsembl_prot\tMANE_status\tGRCh38_chr\tchr_start\tchr_end\tchr_strand']
for r in rows:
    s = r['symbol']
    chrom = r['location'].split('p')[0].split('q')[0]
    strand = '+' if u(s, 'str') < 0.5 else '-'
    start = 1000000 + int(1e8 * u(s, 'pos'))
    exons = 3 + int(12 * u(s, 'ex'))
    length = exons * 2000
    m = lst(r['mane_select'])
    tx = m[0].split('.')[0] if m else 'ENSTDEMO' + s
    gtf.append('\t'.join([chrom, 'ensembl_havana', 'gene', str(start), str(start + length), '.', strand, '.',
                          'gene_id "%s"; gene_name "%s"; gene_source "ensembl_havana"; gene_biotype "protein_coding";' % (r['ensembl_gene_id'], s)]))
    tags = 'tag "basic"; tag "Ensembl_canonical";' + (' tag "MANE_Select";' if m else '')
    gtf.append('\t'.join([chrom, 'ensembl_havana', 'transcript', str(start), str(start + length), '.', strand, '.',
                          'gene_id "%s"; transcript_id "%s"; gene_name "%s"; transcript_name "%s-201"; transcript_biotype "protein_coding"; %s' % (
                              r['ensembl_gene_id'], tx, s, s, tags)]))
    for e in range(exons):
        number = e + 1 if strand == '+' else exons - e
        gtf.append('\t'.join([chrom, 'ensembl_havana', 'exon', str(start + 2000 * e), str(start + 2000 * e + 300), '.', strand, '.',
                              'gene_id "%s"; transcript_id "%s"; exon_number "%d"; exon_id "ENSEDEMO%s%02d";' % (r['ensembl_gene_id'], tx, number, s, number)]))
    if m and len(m) > 1:
        mane.append('\t'.join(['GeneID:' + r['entrez_id'], r['ensembl_gene_id'], r['hgnc_id'], s, r['name'], m[1], 'NP_demo', m[0], 'ENSP_demo',
                               'MANE Select', 'NC_demo', str(start), str(start + length), strand]))
write('demo_Homo_sapiens.gtf.gz', '\n'.join(gtf) + '\n', gz=True)
write('demo_MANE.summary.txt.gz', '\n'.join(mane) + '\n', gz=True)

# UniProtKB TSV layout: accessions from HGNC; the rest synthesized.
out = ['Entry\tEntry Name\tReviewed\tProtein names\tGene Names\tLength\tFunction [CC]\tDomain [FT]\tPfam']
for r in rows:
    s = r['symbol']
    for acc in lst(r['uniprot_ids'])[:1]:
        n = 300 + int(3000 * u(s, 'len'))
        out.append('\t'.join([acc, s + '_HUMAN', 'reviewed', r['name'] + ' (demo)', s, str(n), 'FUNCTION: demo text, not UniProt\'s.',
                              'DOMAIN %d..%d; /note="Demo domain"; /evidence="ECO:0000255"' % (20, 20 + n // 5), 'PF00000;']))
write('demo_uniprotkb_human.tsv', '\n'.join(out) + '\n')

# PubTator3 gene2pubtator3 layout (no header): PMID, type, NCBI gene id(s), mentions, resource.
out = []
for r in rows:
    s = r['symbol']
    for k in range(1 + int(40 * u(s, 'pubs'))):
        out.append('\t'.join([str(30000000 + int(9e6 * u(s, 'pm%d' % k))), 'Gene', r['entrez_id'], s + ('|' + lst(r['alias_symbol'])[0] if lst(r['alias_symbol']) else ''), 'GNorm2']))
write('demo_gene2pubtator3.gz', '\n'.join(out) + '\n', gz=True)

# Descartes kidney tables: "SYMBOL,value" (files a user saves by hand from the site).
write('demo_descartes_kidney_tpm.csv', ''.join('%s,%.3f\n' % (r['symbol'], 500 * u(r['symbol'], 'dt')) for r in rows if u(r['symbol'], 'dd') < 0.85))
write('demo_descartes_kidney_percentage.csv', ''.join('%s,%.4f\n' % (r['symbol'], u(r['symbol'], 'dp')) for r in rows if u(r['symbol'], 'dd') < 0.85))

# The panel a user pastes: symbols, ids and the awkward inputs the resolution table explains.
panel = ['# Kidney gene panel (BioForge demo)', 'PKD1', 'PKD2', 'PKHD1', 'NPHS1', 'NPHS2', 'WT1', 'COL4A3, COL4A4, COL4A5', 'UMOD', 'HNF1B',
         'PAX2', 'SLC12A1', 'SLC12A3', 'CLCNKB', 'KCNJ1', 'CTNS', 'AGXT', 'INF2', 'TRPC6', 'CD2AP', 'LAMB2', 'NPHP1', 'CFH', 'SALL1',
         'GATA3', 'REN', 'MUC1', 'SEC61A1', 'DSTYK', 'HLA-B', 'TTN',
         'FSGS1      # a previous symbol (ACTN4)', 'TRPP1      # an alias (PKD1, already listed)', 'HGNC:9009  # PKD2 again, by id',
         'ENSG00000130402  # ACTN4 by Ensembl id', 'A1S9T      # withdrawn (merged into UBA1)', 'APOL1      # not in the demo extract', 'NOTAGENE1']
write('../panels/kidney_panel.txt', '\n'.join(panel) + '\n')
print('written')
