//! RAP data structures, each declared once ([`rap_struct!`](crate::rap_struct)).
//!
//! A declaration lists the fields of a structure in wire order, each with
//! its DataDesc character (MS-RAP 2.5.1) and its name from the spec:
//!
//! ```text
//! rap_struct! {
//!     /// PrintJobInfo2 (MS-RAP 2.5.7.8.7).
//!     pub struct PrintJobInfo2<'a> {
//!         job_id: W,
//!         priority: W,
//!         user_name: z,
//!         job_position: W,
//!         job_status: W [JobStatus],
//!         time_submitted: D [Time],
//!         job_size: D,
//!         comment: z,
//!         document_name: z,
//!     }
//! }
//! ```
//!
//! From it come: the typed struct (`W` → `u16`, `D` → `u32`, `B` → `u8`,
//! `B`n → `Cow<str>`, `z` → `Option<Cow<str>>`, `l`/`b`n →
//! `Option<Cow<[u8]>>`, `N`/`K` → `u16`), its DataDesc (`"WWzWWDDzz"`) and
//! fixed size (28, computed at compile time), the field names and kinds
//! ([`StructMeta`]) that decode, conform and the fuzz oracle use, the walk
//! that the one marshaling engine ([`Marshaler`](super::marshal::Marshaler))
//! and every other consumer drive ([`Visit`]), client-side parsing
//! ([`RapStruct::from_values`]) and [`RapStruct::into_owned`].
//!
//! `_: B` declares a pad byte (sent as 0, named `pad`, not a member); a
//! bracketed kind (`[JobStatus]`, `[Time]`) says how tools show a number.

use std::borrow::Cow;

use super::response::{DataValue, ResponseError};
use crate::oem::OemCodePage;

/// How tools show a field (decode's JSON, query's text).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FieldKind {
    /// A number, a string or bytes, as its DataDesc character says.
    Plain,
    /// A pad: always 0 on the wire, not a member of the struct.
    Pad,
    /// A RAP print-job status word (MS-RAP 2.5.7.8.6 JobStatus).
    JobStatus,
    /// A print-queue status word (MS-RAP 2.5.7.8.2 PrintQStatus).
    QueueStatus,
    /// Seconds since 1970-01-01 in the server's local time (TimeSubmitted).
    Time,
}

/// One field of a declared structure.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct FieldMeta {
    /// The spec's name in snake_case (`job_id`), `pad` for pads.
    pub name: &'static str,
    /// The DataDesc item (`"W"`, `"B21"`, `"z"`).
    pub item: &'static str,
    /// How tools show it.
    pub kind: FieldKind,
}

impl FieldMeta {
    /// The DataDesc character.
    pub fn ch(&self) -> u8 {
        self.item.as_bytes().first().copied().unwrap_or(0)
    }

    /// Whether the field is a pointer into the variable part (`z`, `l`, `b`).
    pub fn is_pointer(&self) -> bool {
        matches!(self.ch(), b'z' | b'l' | b'b')
    }
}

/// What a declaration says about its structure.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct StructMeta {
    /// The spec's name (`PrintJobInfo2`).
    pub name: &'static str,
    /// The DataDesc (`WWzWWDDzz`).
    pub descriptor: &'static [u8],
    /// Bytes of the fixed part, computed from the descriptor at compile time.
    pub fixed_size: u16,
    /// The fields in wire order, pads included.
    pub fields: &'static [FieldMeta],
}

impl StructMeta {
    /// The field names in wire order (what decode names the values of a
    /// structure parsed with this descriptor).
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.fields.iter().map(|f| f.name)
    }
}

/// A walk over a structure's fields in wire order: what the marshaling
/// engine writes, what conform compares, what the fuzz oracle models.
pub trait Visit<'s> {
    /// `W` (and `K`; a `W` pad is 0).
    fn word(&mut self, v: u16);
    /// `B` without a count: one byte.
    fn byte(&mut self, v: u8);
    /// `D`.
    fn dword(&mut self, v: u32);
    /// `B`n: a fixed-width string of at most n − 1 OEM bytes, NUL-padded.
    fn fixed(&mut self, s: &'s str, width: u16);
    /// A `B`n pad: n zero bytes.
    fn pad(&mut self, width: u16);
    /// `z`: a string pointer; `None` sends offset 0.
    fn string(&mut self, s: Option<&'s str>);
    /// `l` / `b`n: a pointer to bytes; `None` sends both halves 0.
    fn buffer(&mut self, b: Option<&'s [u8]>);
    /// `N`: the number of auxiliary structures that follow.
    fn aux_count(&mut self, n: u16);
}

/// A structure declared with [`rap_struct!`](crate::rap_struct).
pub trait RapStruct<'a>: Sized {
    /// The same structure owning its strings.
    type Owned: 'static;
    /// The declaration.
    const META: &'static StructMeta;
    /// Visit every field in wire order.
    fn walk<'s, V: Visit<'s>>(&'s self, v: &mut V);
    /// Build the structure from values parsed with its descriptor
    /// ([`parse_struct`](super::response::parse_struct)), decoding strings
    /// with `cp`.
    fn from_values(values: &[DataValue<'a>], cp: &OemCodePage) -> Result<Self, ResponseError>;
    /// Detach from the buffer it borrows.
    fn into_owned(self) -> Self::Owned;
}

/// One field value of a structure, in wire order: the flat view of a
/// declared structure that tests and the fuzz oracle compare.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Field<'f> {
    /// `W` (and `K`; a `W` pad is 0).
    Word(u16),
    /// `B` without a count.
    Byte(u8),
    /// `D`.
    DWord(u32),
    /// `B`n: a fixed-width string. A `B` pad is `Fixed("")`.
    Fixed(&'f str),
    /// `z`: `None` is offset 0.
    Str(Option<&'f str>),
    /// `l` / `b`n.
    LenBuf(Option<&'f [u8]>),
    /// `N`.
    AuxCount(u16),
}

/// Collects [`Field`]s (what [`fields`] and the per-level unions' `fields()` use).
#[derive(Debug, Default)]
pub struct FieldList<'f>(pub Vec<Field<'f>>);

impl<'f> Visit<'f> for FieldList<'f> {
    fn word(&mut self, v: u16) {
        self.0.push(Field::Word(v));
    }
    fn byte(&mut self, v: u8) {
        self.0.push(Field::Byte(v));
    }
    fn dword(&mut self, v: u32) {
        self.0.push(Field::DWord(v));
    }
    fn fixed(&mut self, s: &'f str, _width: u16) {
        self.0.push(Field::Fixed(s));
    }
    fn pad(&mut self, _width: u16) {
        self.0.push(Field::Fixed(""));
    }
    fn string(&mut self, s: Option<&'f str>) {
        self.0.push(Field::Str(s));
    }
    fn buffer(&mut self, b: Option<&'f [u8]>) {
        self.0.push(Field::LenBuf(b));
    }
    fn aux_count(&mut self, n: u16) {
        self.0.push(Field::AuxCount(n));
    }
}

/// The fields of a declared structure, in wire order (pads included).
pub fn fields<'s, T: RapStruct<'s>>(s: &'s T) -> Vec<Field<'s>> {
    let mut f = FieldList(Vec::with_capacity(T::META.fields.len()));
    s.walk(&mut f);
    f.0
}

/// Something that takes one declared structure, whatever its type: a
/// continuation for code that picks the structure at run time (by info
/// level) without building an enum of them.
pub trait TakeStruct {
    /// What taking it gives.
    type Output;
    /// Take `s`.
    fn take<'v, T: RapStruct<'v>>(self, s: &'v T) -> Self::Output;
}

/// A member value's owned form (used by [`RapStruct::into_owned`]).
pub trait IntoOwnedField {
    /// The owned type.
    type Owned;
    /// Convert.
    fn into_owned_field(self) -> Self::Owned;
}

macro_rules! owned_identity {
    ($($t:ty),*) => {$(
        impl IntoOwnedField for $t {
            type Owned = $t;
            fn into_owned_field(self) -> $t { self }
        }
    )*};
}
owned_identity!(u8, u16, u32, super::print_job::RapJobStatus);

impl IntoOwnedField for Cow<'_, str> {
    type Owned = Cow<'static, str>;
    fn into_owned_field(self) -> Cow<'static, str> {
        Cow::Owned(self.into_owned())
    }
}

impl IntoOwnedField for Option<Cow<'_, str>> {
    type Owned = Option<Cow<'static, str>>;
    fn into_owned_field(self) -> Option<Cow<'static, str>> {
        self.map(IntoOwnedField::into_owned_field)
    }
}

impl IntoOwnedField for Option<Cow<'_, [u8]>> {
    type Owned = Option<Cow<'static, [u8]>>;
    fn into_owned_field(self) -> Option<Cow<'static, [u8]>> {
        self.map(|b| Cow::Owned(b.into_owned()))
    }
}

/// Reads member values in order from a generically parsed structure.
#[derive(Debug)]
pub struct Values<'v, 'a> {
    it: std::slice::Iter<'v, DataValue<'a>>,
    cp: &'v OemCodePage,
}

impl<'v, 'a> Values<'v, 'a> {
    /// Over `values`, decoding strings with `cp`.
    pub fn new(values: &'v [DataValue<'a>], cp: &'v OemCodePage) -> Self {
        Values {
            it: values.iter(),
            cp,
        }
    }

    fn next(&mut self) -> Result<&'v DataValue<'a>, ResponseError> {
        self.it.next().ok_or(ResponseError::FieldMismatch)
    }

    /// `W`, `K`.
    pub fn word(&mut self) -> Result<u16, ResponseError> {
        match *self.next()? {
            DataValue::Word(w) => Ok(w),
            _ => Err(ResponseError::FieldMismatch),
        }
    }

    /// `N`.
    pub fn aux_count(&mut self) -> Result<u16, ResponseError> {
        match *self.next()? {
            DataValue::AuxCount(w) => Ok(w),
            _ => Err(ResponseError::FieldMismatch),
        }
    }

    /// `D`.
    pub fn dword(&mut self) -> Result<u32, ResponseError> {
        match *self.next()? {
            DataValue::DWord(w) => Ok(w),
            _ => Err(ResponseError::FieldMismatch),
        }
    }

    /// `B`.
    pub fn byte(&mut self) -> Result<u8, ResponseError> {
        match *self.next()? {
            DataValue::Fixed(&[b]) => Ok(b),
            _ => Err(ResponseError::FieldMismatch),
        }
    }

    /// `B`n: the text up to the first NUL.
    pub fn fixed(&mut self) -> Result<Cow<'a, str>, ResponseError> {
        match *self.next()? {
            DataValue::Fixed(bytes) => {
                let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
                Ok(self.cp.decode(bytes.get(..end).unwrap_or_default()))
            }
            _ => Err(ResponseError::FieldMismatch),
        }
    }

    /// `z`.
    pub fn string(&mut self) -> Result<Option<Cow<'a, str>>, ResponseError> {
        match *self.next()? {
            DataValue::Str(s) => Ok(s.map(|s| self.cp.decode(s))),
            _ => Err(ResponseError::FieldMismatch),
        }
    }

    /// `l`, `b`n.
    pub fn buffer(&mut self) -> Result<Option<Cow<'a, [u8]>>, ResponseError> {
        match *self.next()? {
            DataValue::LenBuf(b) => Ok(b.map(Cow::Borrowed)),
            _ => Err(ResponseError::FieldMismatch),
        }
    }

    /// A pad: any one value.
    pub fn skip(&mut self) -> Result<(), ResponseError> {
        self.next().map(|_| ())
    }

    /// Every value was used.
    pub fn finish(mut self) -> Result<(), ResponseError> {
        match self.it.next() {
            None => Ok(()),
            Some(_) => Err(ResponseError::FieldMismatch),
        }
    }
}

/// Declare a RAP data structure once. See the [module docs](crate::rap::structs).
///
/// Every field ends with a comma. Field forms: `name: W`, `name: W [Kind]`,
/// `name: D`, `name: D [Time]`, `name: B` (one byte), `name: B 21` (a
/// fixed-width string), `name: z`, `name: l`, `name: b 16`, `name: N`,
/// `name: K`, and pads `_: B`, `_: B 2`, `_: W`. A name in parentheses
/// after the member's (`share_type ("type"): W`) is the one tools show.
#[macro_export]
macro_rules! rap_struct {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident<$lt:lifetime> { $($body:tt)* }
    ) => {
        $crate::rap_struct!(@munch
            head [[$(#[$meta])*] [$vis] $name [$lt] [<$lt>] [<'static>] [$lt] [<$lt>]]
            members [] items [] rest [$($body)*]
        );
    };
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident { $($body:tt)* }
    ) => {
        $crate::rap_struct!(@munch
            head [[$(#[$meta])*] [$vis] $name ['static] [] [] ['__rap] [<'__rap>]]
            members [] items [] rest [$($body)*]
        );
    };
    // A pad.
    (@munch head [$($head:tt)*] members [$($members:tt)*] items [$($items:tt)*]
        rest [_ : $ch:ident $($n:literal)? , $($rest:tt)*]
    ) => {
        $crate::rap_struct!(@munch head [$($head)*] members [$($members)*]
            items [$($items)* (pad _pad $ch [$($n)?] [] [])] rest [$($rest)*]
        );
    };
    // A member.
    (@munch head [$($head:tt)*] members [$($members:tt)*] items [$($items:tt)*]
        rest [$(#[$fm:meta])* $f:ident $(($wire:literal))? : $ch:ident $($n:literal)? $([$kind:ident])? , $($rest:tt)*]
    ) => {
        $crate::rap_struct!(@munch head [$($head)*]
            members [$($members)* ([$(#[$fm])*] $f $ch [$($n)?] [$($kind)?])]
            items [$($items)* (field $f $ch [$($n)?] [$($kind)?] [$($wire)?])]
            rest [$($rest)*]
        );
    };
    // Emit.
    (@munch
        head [[$($meta:tt)*] [$vis:vis] $name:ident [$lt:lifetime] [$($gen:tt)*] [$($ogen:tt)*]
              [$ilt:lifetime] [$($igen:tt)*]]
        members [$( ([$($fm:tt)*] $f:ident $fch:ident [$($fn:literal)?] [$($fk:ident)?]) )*]
        items [$( ($tag:ident $iname:ident $ch:ident [$($n:literal)?] [$($k:ident)?] [$($w:literal)?]) )*]
        rest []
    ) => {
        $($meta)*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
        $vis struct $name $($gen)* {
            $( $($fm)* pub $f: $crate::__rap_field_ty!($lt; $fch [$($fn)?] [$($fk)?]), )*
        }

        impl $($gen)* $name $($gen)* {
            /// The DataDesc (MS-RAP 2.5.1).
            pub const DESCRIPTOR: &'static [u8] = concat!($( stringify!($ch), $($n,)? )*).as_bytes();
            /// Bytes of the fixed part (MS-RAP 2.5.11), computed from [`Self::DESCRIPTOR`].
            pub const FIXED_SIZE: u16 = $crate::rap::descriptor::const_struct_size(Self::DESCRIPTOR);
            /// The declaration.
            pub const STRUCT_META: $crate::rap::structs::StructMeta = $crate::rap::structs::StructMeta {
                name: stringify!($name),
                descriptor: Self::DESCRIPTOR,
                fixed_size: Self::FIXED_SIZE,
                fields: &[$( $crate::__rap_meta!($tag $iname $ch [$($n)?] [$($k)?] [$($w)?]) ),*],
            };
        }

        impl $($igen)* $crate::rap::structs::RapStruct<$ilt> for $name $($gen)* {
            type Owned = $name $($ogen)*;
            const META: &'static $crate::rap::structs::StructMeta = &Self::STRUCT_META;

            #[inline]
            fn walk<'__s, __V: $crate::rap::structs::Visit<'__s>>(&'__s self, v: &mut __V) {
                $( $crate::__rap_walk!(self, v; $tag $iname $ch [$($n)?] [$($k)?]); )*
            }

            fn from_values(
                values: &[$crate::rap::response::DataValue<$ilt>],
                cp: &$crate::oem::OemCodePage,
            ) -> Result<Self, $crate::rap::response::ResponseError> {
                let mut r = $crate::rap::structs::Values::new(values, cp);
                $( let $iname = $crate::__rap_read!(r; $tag $ch [$($n)?] [$($k)?]); )*
                r.finish()?;
                Ok($name { $( $f, )* })
            }

            fn into_owned(self) -> Self::Owned {
                $name {
                    $( $f: $crate::rap::structs::IntoOwnedField::into_owned_field(self.$f), )*
                }
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __rap_field_ty {
    ($lt:lifetime; W [] []) => { u16 };
    ($lt:lifetime; W [] [JobStatus]) => { $crate::rap::print_job::RapJobStatus };
    ($lt:lifetime; W [] [$k:ident]) => { u16 };
    ($lt:lifetime; K [] []) => { u16 };
    ($lt:lifetime; N [] []) => { u16 };
    ($lt:lifetime; D [] [$($k:ident)?]) => { u32 };
    ($lt:lifetime; B [] []) => { u8 };
    ($lt:lifetime; B [$n:literal] []) => { ::std::borrow::Cow<$lt, str> };
    ($lt:lifetime; z [] []) => { Option<::std::borrow::Cow<$lt, str>> };
    ($lt:lifetime; l [] []) => { Option<::std::borrow::Cow<$lt, [u8]>> };
    ($lt:lifetime; b [$n:literal] []) => { Option<::std::borrow::Cow<$lt, [u8]>> };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __rap_meta {
    (pad $f:ident $ch:ident [$($n:literal)?] [] []) => {
        $crate::rap::structs::FieldMeta {
            name: "pad",
            item: concat!(stringify!($ch) $(, $n)?),
            kind: $crate::rap::structs::FieldKind::Pad,
        }
    };
    (field $f:ident $ch:ident [$($n:literal)?] [$($k:ident)?] []) => {
        $crate::rap::structs::FieldMeta {
            name: stringify!($f),
            item: concat!(stringify!($ch) $(, $n)?),
            kind: $crate::__rap_kind!($($k)?),
        }
    };
    (field $f:ident $ch:ident [$($n:literal)?] [$($k:ident)?] [$w:literal]) => {
        $crate::rap::structs::FieldMeta {
            name: $w,
            item: concat!(stringify!($ch) $(, $n)?),
            kind: $crate::__rap_kind!($($k)?),
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __rap_kind {
    () => {
        $crate::rap::structs::FieldKind::Plain
    };
    ($k:ident) => {
        $crate::rap::structs::FieldKind::$k
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __rap_walk {
    ($s:ident, $v:ident; pad $f:ident B [] []) => {
        $v.pad(1)
    };
    ($s:ident, $v:ident; pad $f:ident B [$n:literal] []) => {
        $v.pad($n)
    };
    ($s:ident, $v:ident; pad $f:ident W [] []) => {
        $v.word(0)
    };
    ($s:ident, $v:ident; field $f:ident W [] [$($k:ident)?]) => {
        $v.word(u16::from($s.$f))
    };
    ($s:ident, $v:ident; field $f:ident K [] []) => {
        $v.word($s.$f)
    };
    ($s:ident, $v:ident; field $f:ident N [] []) => {
        $v.aux_count($s.$f)
    };
    ($s:ident, $v:ident; field $f:ident D [] [$($k:ident)?]) => {
        $v.dword($s.$f)
    };
    ($s:ident, $v:ident; field $f:ident B [] []) => {
        $v.byte($s.$f)
    };
    ($s:ident, $v:ident; field $f:ident B [$n:literal] []) => {
        $v.fixed(&$s.$f, $n)
    };
    ($s:ident, $v:ident; field $f:ident z [] []) => {
        $v.string($s.$f.as_deref())
    };
    ($s:ident, $v:ident; field $f:ident l [] []) => {
        $v.buffer($s.$f.as_deref())
    };
    ($s:ident, $v:ident; field $f:ident b [$n:literal] []) => {
        $v.buffer($s.$f.as_deref())
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __rap_read {
    ($r:ident; pad $ch:ident [$($n:literal)?] []) => {
        $r.skip()?
    };
    ($r:ident; field W [] [$($k:ident)?]) => {
        From::from($r.word()?)
    };
    ($r:ident; field K [] []) => {
        $r.word()?
    };
    ($r:ident; field N [] []) => {
        $r.aux_count()?
    };
    ($r:ident; field D [] [$($k:ident)?]) => {
        $r.dword()?
    };
    ($r:ident; field B [] []) => {
        $r.byte()?
    };
    ($r:ident; field B [$n:literal] []) => {
        $r.fixed()?
    };
    ($r:ident; field z [] []) => {
        $r.string()?
    };
    ($r:ident; field l [] []) => {
        $r.buffer()?
    };
    ($r:ident; field b [$n:literal] []) => {
        $r.buffer()?
    };
}

/// Declare the union of a command's structures by info level.
///
/// ```text
/// rap_levels! {
///     /// One PrintJobInfo structure of any level.
///     pub enum PrintJobInfo<'a> {
///         0 => Level0(PrintJobInfo0),
///         1 => Level1(PrintJobInfo1<'a>),
///     }
/// }
/// ```
#[macro_export]
macro_rules! rap_levels {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident<$lt:lifetime> {
            $( $level:literal => $variant:ident($ty:ty), )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[allow(missing_docs)]
        $vis enum $name<$lt> {
            $( $variant($ty), )*
        }

        impl<$lt> $name<$lt> {
            /// The levels and their structures.
            pub const LEVELS: &'static [(u16, &'static $crate::rap::structs::StructMeta)] = &[
                $( ($level, <$ty as $crate::rap::structs::RapStruct<$lt>>::META), )*
            ];

            /// The declaration of a level's structure.
            pub fn meta_for_level(level: u16) -> Option<&'static $crate::rap::structs::StructMeta> {
                Self::LEVELS.iter().find(|(l, _)| *l == level).map(|(_, m)| *m)
            }

            /// The info level.
            pub fn level(&self) -> u16 {
                match self { $( $name::$variant(_) => $level, )* }
            }

            /// The declaration of this structure.
            pub fn meta(&self) -> &'static $crate::rap::structs::StructMeta {
                match self {
                    $( $name::$variant(_) => <$ty as $crate::rap::structs::RapStruct<$lt>>::META, )*
                }
            }

            /// The DataDesc of this level.
            pub fn descriptor(&self) -> &'static [u8] {
                self.meta().descriptor
            }

            /// Marshal this structure as the next one of `m`.
            pub fn marshal(&self, m: &mut $crate::rap::marshal::Sink<'_>) {
                match self {
                    $( $name::$variant(x) => m.push(x), )*
                }
            }

            /// The fields in wire order (pads included).
            pub fn fields(&self) -> Vec<$crate::rap::structs::Field<'_>> {
                let mut f = $crate::rap::structs::FieldList(Vec::with_capacity(self.meta().fields.len()));
                self.walk(&mut f);
                f.0
            }

            /// Visit every field in wire order.
            pub fn walk<'s, V: $crate::rap::structs::Visit<'s>>(&'s self, v: &mut V) {
                match self {
                    $( $name::$variant(x) => $crate::rap::structs::RapStruct::walk(x, v), )*
                }
            }

            /// Build the level's structure from values parsed with its descriptor.
            pub fn from_values(
                level: u16,
                values: &[$crate::rap::response::DataValue<$lt>],
                cp: &$crate::oem::OemCodePage,
            ) -> Result<Self, $crate::rap::response::ResponseError> {
                match level {
                    $( $level => Ok($name::$variant(
                        <$ty as $crate::rap::structs::RapStruct<$lt>>::from_values(values, cp)?,
                    )), )*
                    _ => Err($crate::rap::response::ResponseError::UnknownLevel(level)),
                }
            }

            /// Detach from the buffer it borrows.
            pub fn into_owned(self) -> $name<'static> {
                match self {
                    $( $name::$variant(x) => $name::$variant(
                        $crate::rap::structs::RapStruct::into_owned(x),
                    ), )*
                }
            }
        }
    };
}
