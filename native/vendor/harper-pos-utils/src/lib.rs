mod chunker;
#[cfg(feature = "training")]
mod conllu_utils;
mod patch_criteria;
mod tagger;
mod upos;
#[cfg(feature = "training")]
mod word_counter;

pub use chunker::{
    BrillChunker, BurnChunker, BurnChunkerCpu, CachedChunker, Chunker, UPOSFreqDict, chunker_audit,
};
pub use tagger::{BrillTagger, FreqDict, FreqDictBuilder, Tagger};
pub use upos::{UPOS, UPOSIter};
