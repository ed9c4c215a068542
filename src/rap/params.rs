//! RAP request parameters, each command's declared once
//! ([`rap_params!`](crate::rap_params)).
//!
//! A declaration lists the ParamDesc items of a command in order (MS-RAP
//! 2.5.1), with the spec's names:
//!
//! ```text
//! rap_params! {
//!     /// NetPrintJobGetInfo request parameters (MS-RAP 2.5.7.4.1).
//!     pub struct PrintJobGetInfoRequest for NET_PRINT_JOB_GET_INFO {
//!         job_id: W,
//!         level ("info_level"): W,
//!         _: r,
//!         receive_buffer_size: L,
//!         total_bytes_available: h,
//!     }
//! }
//! ```
//!
//! From it come: the typed struct (`W`, `L`, `T`, `P` → `u16`, `D` → `u32`,
//! `z` and `b`n → the raw OEM bytes), the ParamDesc (`"WWrLh"`), the names
//! decode gives the request values and the RAPOutParams ([`ParamsMeta`]),
//! a straight-line parser of RAPParams (no descriptor walk) and the
//! client-side encoder. `_: r` / `_: s` are the receive/send buffer markers,
//! `name: O` a null pointer and `name: F n` pad bytes (named, not members),
//! `name: h` / `e` / `i` / `g n` the response's out-parameters. A name in
//! parentheses overrides the wire name tools show.

use super::descriptor::DescItem;
use super::request::RequestError;

/// What a request-parameter declaration says.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct ParamsMeta {
    /// The ParamDesc.
    pub param_desc: &'static [u8],
    /// The names of the request values, in order: every item that carries
    /// a value (`W`, `D`, `b`, `z`, `O`, `F`, `L`, `T`, `P`).
    pub names: &'static [&'static str],
    /// The names of the RAPOutParams (`h`, `e`, `i`, `g`), in order.
    pub out: &'static [&'static str],
}

/// A command's request parameters declared with [`rap_params!`](crate::rap_params).
pub trait RequestParams<'a>: Sized {
    /// The declaration.
    const META: &'static ParamsMeta;
    /// Parse RAPParams: the values and the bytes that follow them.
    fn parse(rest: &'a [u8]) -> Result<(Self, &'a [u8]), RequestError>;
}

fn truncated(ch: u8, count: Option<u16>, needed: usize, available: usize) -> RequestError {
    RequestError::ParamsTruncated {
        item: DescItem { ch, count },
        needed,
        available,
    }
}

/// Take `n` bytes of item `ch` (RAPParams).
#[inline]
pub fn take_bytes(
    input: &[u8],
    ch: u8,
    count: Option<u16>,
    n: usize,
) -> Result<(&[u8], &[u8]), RequestError> {
    if input.len() < n {
        return Err(truncated(ch, count, n, input.len()));
    }
    Ok(input.split_at(n))
}

/// Take a 16-bit item (`W`, `L`, `T`, `P`).
#[inline]
pub fn take_u16(input: &[u8], ch: u8) -> Result<(u16, &[u8]), RequestError> {
    match input.split_first_chunk::<2>() {
        Some((b, rest)) => Ok((u16::from_le_bytes(*b), rest)),
        None => Err(truncated(ch, None, 2, input.len())),
    }
}

/// Take a 32-bit item (`D`).
#[inline]
pub fn take_u32(input: &[u8], ch: u8) -> Result<(u32, &[u8]), RequestError> {
    match input.split_first_chunk::<4>() {
        Some((b, rest)) => Ok((u32::from_le_bytes(*b), rest)),
        None => Err(truncated(ch, None, 4, input.len())),
    }
}

/// Take a NUL-terminated string (`z`), without its NUL.
#[inline]
pub fn take_asciiz(input: &[u8]) -> Result<(&[u8], &[u8]), RequestError> {
    match input.iter().position(|&b| b == 0) {
        Some(n) => {
            let (s, rest) = input.split_at(n);
            Ok((s, rest.get(1..).unwrap_or_default()))
        }
        None => Err(RequestError::UnterminatedString {
            item: DescItem {
                ch: b'z',
                count: None,
            },
        }),
    }
}

/// Declare a command's request parameters once. See the [module docs](crate::rap::params).
#[macro_export]
macro_rules! rap_params {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident<$lt:lifetime> for $op:ident { $($body:tt)* }
    ) => {
        $crate::rap_params!(@munch head [[$(#[$meta])*] [$vis] $name $op [$lt] [<$lt>] [$lt] []]
            members [] items [] rest [$($body)*]);
    };
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident for $op:ident { $($body:tt)* }
    ) => {
        $crate::rap_params!(@munch head [[$(#[$meta])*] [$vis] $name $op ['static] [] ['__i] [<'__i>]]
            members [] items [] rest [$($body)*]);
    };
    // Markers without a value.
    (@munch head [$($head:tt)*] members [$($m:tt)*] items [$($i:tt)*]
        rest [_ : $ch:ident , $($rest:tt)*]) => {
        $crate::rap_params!(@munch head [$($head)*] members [$($m)*]
            items [$($i)* (none _marker $ch [] "")] rest [$($rest)*]);
    };
    // Out-parameters.
    (@munch head [$($head:tt)*] members [$($m:tt)*] items [$($i:tt)*]
        rest [$f:ident : h , $($rest:tt)*]) => {
        $crate::rap_params!(@munch head [$($head)*] members [$($m)*]
            items [$($i)* (out _out h [] stringify!($f))] rest [$($rest)*]);
    };
    (@munch head [$($head:tt)*] members [$($m:tt)*] items [$($i:tt)*]
        rest [$f:ident : e , $($rest:tt)*]) => {
        $crate::rap_params!(@munch head [$($head)*] members [$($m)*]
            items [$($i)* (out _out e [] stringify!($f))] rest [$($rest)*]);
    };
    (@munch head [$($head:tt)*] members [$($m:tt)*] items [$($i:tt)*]
        rest [$f:ident : i , $($rest:tt)*]) => {
        $crate::rap_params!(@munch head [$($head)*] members [$($m)*]
            items [$($i)* (out _out i [] stringify!($f))] rest [$($rest)*]);
    };
    (@munch head [$($head:tt)*] members [$($m:tt)*] items [$($i:tt)*]
        rest [$f:ident : g $n:literal , $($rest:tt)*]) => {
        $crate::rap_params!(@munch head [$($head)*] members [$($m)*]
            items [$($i)* (out _out g [$n] stringify!($f))] rest [$($rest)*]);
    };
    // Named values that are not members: a null pointer, pad bytes.
    (@munch head [$($head:tt)*] members [$($m:tt)*] items [$($i:tt)*]
        rest [$f:ident : O , $($rest:tt)*]) => {
        $crate::rap_params!(@munch head [$($head)*] members [$($m)*]
            items [$($i)* (null _null O [] stringify!($f))] rest [$($rest)*]);
    };
    (@munch head [$($head:tt)*] members [$($m:tt)*] items [$($i:tt)*]
        rest [$f:ident : F $n:literal , $($rest:tt)*]) => {
        $crate::rap_params!(@munch head [$($head)*] members [$($m)*]
            items [$($i)* (pad _pad F [$n] stringify!($f))] rest [$($rest)*]);
    };
    // Members.
    (@munch head [$($head:tt)*] members [$($m:tt)*] items [$($i:tt)*]
        rest [$(#[$fm:meta])* $f:ident $(($wire:literal))? : $ch:ident $($n:literal)? , $($rest:tt)*]) => {
        $crate::rap_params!(@munch head [$($head)*]
            members [$($m)* ([$(#[$fm])*] $f $ch)]
            items [$($i)* (val $f $ch [$($n)?] $crate::__rap_pname!($f $($wire)?))]
            rest [$($rest)*]);
    };
    // Emit.
    (@munch head [[$($meta:tt)*] [$vis:vis] $name:ident $op:ident [$lt:lifetime] [$($gen:tt)*]
        [$flt:lifetime] [$($fgen:tt)*]]
        members [$( ([$($fm:tt)*] $f:ident $fch:ident) )*]
        items [$( ($kind:ident $iname:ident $ch:ident [$($n:literal)?] $wname:expr) )*]
        rest []
    ) => {
        $($meta)*
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
        $vis struct $name $($gen)* {
            $( $($fm)* pub $f: $crate::__rap_param_ty!($lt; $fch), )*
        }

        impl $($gen)* $name $($gen)* {
            /// The RAPOpcode (MS-RAP 2.5.4).
            pub const OPCODE: $crate::codes::RapOpcode = $crate::codes::RapOpcode::$op;
            /// The ParamDesc (MS-RAP 2.5.1).
            pub const PARAM_DESC: &'static [u8] = concat!($( stringify!($ch), $($n,)? )*).as_bytes();
            /// The declaration.
            pub const META: $crate::rap::params::ParamsMeta = $crate::rap::params::ParamsMeta {
                param_desc: Self::PARAM_DESC,
                names: $crate::__rap_pnames!([] $( ($kind $wname) )*),
                out: $crate::__rap_pouts!([] $( ($kind $wname) )*),
            };

            /// Parse RAPParams (the bytes after DataDesc) by the declared
            /// ParamDesc: the values and the bytes that follow them.
            #[inline]
            pub fn parse $($fgen)* (rest: &$flt [u8]) -> Result<(Self, &$flt [u8]), $crate::rap::request::RequestError> {
                $( let ($iname, rest) = $crate::__rap_ptake!(rest; $kind $ch [$($n)?]); )*
                Ok(($name { $( $f, )* }, rest))
            }

            /// Append RAPParams.
            pub fn write_params(&self, out: &mut Vec<u8>) {
                $( $crate::__rap_pput!(self, out; $kind $iname $ch [$($n)?]); )*
            }

            /// The whole transaction parameter block: RAPOpcode, ParamDesc,
            /// this DataDesc, RAPParams.
            pub fn encode(&self, data_desc: &[u8], out: &mut Vec<u8>) {
                out.extend_from_slice(&Self::OPCODE.0.to_le_bytes());
                out.extend_from_slice(Self::PARAM_DESC);
                out.push(0);
                out.extend_from_slice(data_desc);
                out.push(0);
                self.write_params(out);
            }

            /// [`Self::encode`] followed by an AuxDesc.
            pub fn encode_with_aux(&self, data_desc: &[u8], aux_desc: &[u8], out: &mut Vec<u8>) {
                self.encode(data_desc, out);
                out.extend_from_slice(aux_desc);
                out.push(0);
            }
        }

        impl $($gen)* $($fgen)* $crate::rap::params::RequestParams<$flt> for $name $($gen)* {
            const META: &'static $crate::rap::params::ParamsMeta = &Self::META;
            fn parse(rest: &$flt [u8]) -> Result<(Self, &$flt [u8]), $crate::rap::request::RequestError> {
                $name::parse(rest)
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __rap_pname {
    ($f:ident) => {
        stringify!($f)
    };
    ($f:ident $wire:literal) => {
        $wire
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __rap_param_ty {
    ($lt:lifetime; W) => {
        u16
    };
    ($lt:lifetime; L) => {
        u16
    };
    ($lt:lifetime; T) => {
        u16
    };
    ($lt:lifetime; P) => {
        u16
    };
    ($lt:lifetime; D) => {
        u32
    };
    ($lt:lifetime; z) => {
        &$lt[u8]
    };
    ($lt:lifetime; b) => {
        &$lt[u8]
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __rap_pnames {
    ([$($acc:expr,)*]) => { &[$($acc),*] };
    ([$($acc:expr,)*] (val $w:expr) $($rest:tt)*) => { $crate::__rap_pnames!([$($acc,)* $w,] $($rest)*) };
    ([$($acc:expr,)*] (null $w:expr) $($rest:tt)*) => { $crate::__rap_pnames!([$($acc,)* $w,] $($rest)*) };
    ([$($acc:expr,)*] (pad $w:expr) $($rest:tt)*) => { $crate::__rap_pnames!([$($acc,)* $w,] $($rest)*) };
    ([$($acc:expr,)*] ($other:ident $w:expr) $($rest:tt)*) => { $crate::__rap_pnames!([$($acc,)*] $($rest)*) };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __rap_pouts {
    ([$($acc:expr,)*]) => { &[$($acc),*] };
    ([$($acc:expr,)*] (out $w:expr) $($rest:tt)*) => { $crate::__rap_pouts!([$($acc,)* $w,] $($rest)*) };
    ([$($acc:expr,)*] ($other:ident $w:expr) $($rest:tt)*) => { $crate::__rap_pouts!([$($acc,)*] $($rest)*) };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __rap_ptake {
    ($rest:ident; val W []) => {
        $crate::rap::params::take_u16($rest, b'W')?
    };
    ($rest:ident; val L []) => {
        $crate::rap::params::take_u16($rest, b'L')?
    };
    ($rest:ident; val T []) => {
        $crate::rap::params::take_u16($rest, b'T')?
    };
    ($rest:ident; val P []) => {
        $crate::rap::params::take_u16($rest, b'P')?
    };
    ($rest:ident; val D []) => {
        $crate::rap::params::take_u32($rest, b'D')?
    };
    ($rest:ident; val z []) => {
        $crate::rap::params::take_asciiz($rest)?
    };
    ($rest:ident; val b [$n:literal]) => {
        $crate::rap::params::take_bytes($rest, b'b', Some($n), $n)?
    };
    ($rest:ident; pad F [$n:literal]) => {
        $crate::rap::params::take_bytes($rest, b'F', Some($n), $n)?
    };
    ($rest:ident; $kind:ident $ch:ident [$($n:literal)?]) => {
        ((), $rest)
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __rap_pput {
    ($s:ident, $out:ident; val $f:ident z []) => {{
        $out.extend_from_slice($s.$f);
        $out.push(0);
    }};
    ($s:ident, $out:ident; val $f:ident b [$n:literal]) => {{
        let start = $out.len();
        $out.extend_from_slice($s.$f.get(..$n).unwrap_or($s.$f));
        $out.resize(start + $n, 0);
    }};
    ($s:ident, $out:ident; val $f:ident $ch:ident []) => {
        $out.extend_from_slice(&$s.$f.to_le_bytes())
    };
    ($s:ident, $out:ident; pad $f:ident F [$n:literal]) => {
        $out.extend_from_slice(&[0u8; $n])
    };
    ($s:ident, $out:ident; $kind:ident $f:ident $ch:ident [$($n:literal)?]) => {
        ()
    };
}
