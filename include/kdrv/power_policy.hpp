// SPDX-License-Identifier: MIT
//
/// \file
/// PowerPolicy: I/O Kit's power-state selection, acknowledgement and idle
/// timer, as pure logic over a validated PowerState table, with time injected
/// so that every behaviour is deterministic and testable in user space.
///
/// Selection. Three requests and two constraints choose the state:
///
///   desired = sleeping ? 0 : min(max(public, private, childNeed), parentCap)
///
///   public     changePowerStateTo(), any client; 0 after init()
///   private    changePowerStateToPriv() / makeUsable(), the driver; also
///              raised by activityTickle() and lowered by the idle timer
///   childNeed  the lowest state whose output character satisfies the
///              children's flags (setChildPowerFlags())
///   parentCap  the highest state whose input requirement the parent's flags
///              satisfy (parentPowerWillChange() / parentPowerDidChange());
///              in the rare table whose requirements do not rise with the
///              index, the result steps further down to a state that fits
///   sleeping   systemWillSleep() .. systemDidWake(); wake restores the state
///              the requests give, as before sleep
///
/// Ordinals at or beyond the table size are refused with BadArgument. (xnu
/// refuses only ordinals above UINT_MAX and clamps the rest to the top state;
/// kdrv is stricter on purpose.)
///
/// Transitions. One change is in flight at a time. PowerPolicy calls
/// driver->powerStateWillChangeTo(), then driver->setPowerState(state, id):
///   - a result <= 0 (kPMAckImplied, or an error) completes the change;
///   - a positive result is the most microseconds the change may take: the
///     change stays pending until acknowledgeSetPowerState(id), or times out
///     after max(result, 10 s), capped at the 30 s watchdog. A timed-out
///     change completes as if acknowledged (as xnu proceeds) and is counted.
/// Completion calls driver->powerStateDidChangeTo() and then
/// driver->powerChangeDone(previous state). Requests made while a change is in
/// flight are recorded and acted on when it completes. The driver may call
/// back into the policy from any callback (acknowledge, request, tickle); the
/// callbacks are never nested.
///
/// Idle. setIdleTimerPeriod(seconds) starts the timer once the device is at
/// its desired state. At each period's end: if activityTickle() was called
/// during the period, the period is forgiven; otherwise the private request
/// drops one state (never below 0; public and child needs remain floors) and
/// the next period starts when the resulting change has completed, so the
/// idle timer never lowers the device more than one state per period (a
/// state the parent cannot power is passed over).
///
/// activityTickle(kPMSuperclassPolicy1, s) marks activity and returns true if
/// no power change is needed for s (s is at or below the level cached by the
/// last raising tickle), else raises the private request to s and returns
/// false: the caller must wait for the change (powerChangeDone) before it
/// touches the hardware. Each idle drop lowers the cached level by one; any
/// public or private request, and any cap below it, forgets it.
///
/// Time. advance(nowMicros) is the only clock: it fires ack timeouts and idle
/// periods in time order. Requests and acknowledgements are stamped with the
/// last time given. Time never runs backwards (an older value is ignored).
///
/// Concurrency. Not thread-safe: serialize every call (a work-loop gate, a
/// mutex), as I/O Kit runs power management on one work loop. No call
/// allocates, blocks or recurses; every loop is bounded by the table size.
///
/// The tickle fast path. activityTickle()'s inline path reads phase_,
/// tickleValid_ and tickleLevel_ and writes activity_ and idleExhausted_:
/// plain fields, so it needs the same serialization as every other call
/// (there is no lock-free tickle; the vserial example takes its Mutex for
/// each one). Its correctness rests on one invariant, checked by
/// invariantsHold(): a cached level is never above the private request nor
/// the desired state, so a fast-path true never hides a raise that is needed.
/// It does not promise the device is there yet: while the raise it rides on
/// is in flight, later tickles at or below the level return true, as xnu's
/// do; a path that must touch powered hardware waits for powerChangeDone or
/// checks getPowerState().
#ifndef KDRV_POWER_POLICY_HPP
#define KDRV_POWER_POLICY_HPP

#include "kdrv/base.hpp"        // for KDRV_NODISCARD, addSaturating64
#include "kdrv/power_state.hpp" // for PowerState, PowerFlags, validatePowerTable
#include "kdrv/status.hpp"      // for Status

namespace kdrv
{
/// Names one setPowerState() call; never 0, never reused.
typedef uint64_t PowerChangeId;

/// How many completed changes keep their fate for matching acknowledgements.
/// An acknowledgement for an older change is reported Late.
constexpr unsigned long kPowerChangeHistory = 16;

/// Ack timeout rules (microseconds).
constexpr uint64_t kPMMinAckTimeoutMicros = 10000000; // xnu kMinAckTimeoutTicks
constexpr uint64_t kPMAckWatchdogMicros = 30000000;   // xnu kMaxTimeRequested

/// setIdleTimerPeriod() limit, INT_MAX seconds.
constexpr unsigned long kPMMaxIdlePeriodSeconds = 0x7fffffffUL;

/// The driver side. Override what you need; the defaults acknowledge at once
/// and ignore notifications. Not deleted through this type.
class PowerDriver
{
  public:
    /// Move the hardware to `state`. Return kPMAckImplied (0) when done, or
    /// the most microseconds the change may take and call
    /// PowerPolicy::acknowledgeSetPowerState(change) when done (also allowed
    /// before returning). Runs with the caller's serialization held.
    virtual int32_t setPowerState(unsigned long state, PowerChangeId change)
    {
        (void)state;
        (void)change;
        return kPMAckImplied;
    }
    /// Before setPowerState(), with the new state's capability flags.
    virtual void powerStateWillChangeTo(PowerFlags capabilities, unsigned long state)
    {
        (void)capabilities;
        (void)state;
    }
    /// After the change completed (acknowledged, implied or timed out).
    virtual void powerStateDidChangeTo(PowerFlags capabilities, unsigned long state)
    {
        (void)capabilities;
        (void)state;
    }
    /// Last, with the state the device left (not the new one).
    virtual void powerChangeDone(unsigned long previousState) { (void)previousState; }

  protected:
    constexpr PowerDriver() {}
    ~PowerDriver() = default;
};

/// What became of an acknowledgement.
enum class PowerAck : uint8_t
{
    Accepted,   // completed the pending change (or will, when setPowerState returns)
    Late,       // for a change that had already timed out; matched and counted
    Duplicate,  // for a change already completed or already acknowledged
    Unexpected, // no such change, or the policy is not running
};

/// Counters for diagnostics and tests.
struct PowerPolicyStats
{
    uint64_t changes;        // setPowerState() calls
    uint64_t timeouts;       // changes completed by timeout
    uint64_t lateAcks;       // PowerAck::Late
    uint64_t duplicateAcks;  // PowerAck::Duplicate
    uint64_t unexpectedAcks; // PowerAck::Unexpected
    uint64_t idleDrops;      // idle periods that lowered the private request
};

class PowerPolicy
{
  public:
    constexpr PowerPolicy()
        : table_(nullptr), count_(0), driver_(nullptr), index_(), phase_(Phase::Uninitialized),
          public_(0), private_(0), childNeed_(0), parentCap_(0), parentWill_(0), parentDid_(0),
          current_(0), desired_(0), sleeping_(false), tickleValid_(false), tickleLevel_(0),
          activity_(false), idleExhausted_(false), idlePeriod_(0), idleArmed_(false),
          idleDeadline_(0), now_(0), inFlight_(false), ackArrived_(false), waitingForAck_(false),
          target_(0), changeId_(0), ackDeadline_(0), lastId_(0), history_(), historyNext_(0),
          servicing_(false), stats_()
    {
    }
    KDRV_NONCOPYABLE(PowerPolicy);

    /// PMinit + registerPowerDriver. Validates the table (issues may be NULL)
    /// and keeps a pointer to it and to driver: both must outlive the policy.
    /// The device is taken to be in the table's kPMInitialDeviceState state
    /// if the parent powers it, else in state 0; parentFlags is the parent's current power (usually
    /// kPMPowerOn). Calls no driver method: the first request, tickle or
    /// advance() does. Returns BadArgument for a rejected table or a NULL
    /// driver, Busy if already initialized.
    KDRV_NODISCARD Status init(const PowerState* table, unsigned long count, PowerDriver* driver,
                               PowerFlags parentFlags = kPMPowerOn,
                               PowerTableIssues* issues = nullptr)
    {
        if (phase_ != Phase::Uninitialized)
        {
            return Status::Busy;
        }
        if (driver == nullptr)
        {
            return Status::BadArgument;
        }
        const Status valid = validatePowerTable(table, count, issues);
        if (valid != Status::Success)
        {
            return valid;
        }
        table_ = table;
        count_ = count;
        driver_ = driver;
        index_.build(table, count);
        parentWill_ = parentFlags;
        parentDid_ = parentFlags;
        // A device cannot be in a state its parent does not power.
        const unsigned long initial = initialDeviceState(table, count);
        current_ = initial == kNoPowerState ? 0 : initial;
        if ((table[current_].inputPowerRequirement & parentFlags) !=
            table[current_].inputPowerRequirement)
        {
            current_ = 0;
        }
        phase_ = Phase::Running;
        recompute();
        return Status::Success;
    }

    /// PMstop: every later request is refused (Offline), acknowledgements are
    /// Unexpected, timers stop. A change in flight is abandoned.
    void stop()
    {
        phase_ = Phase::Stopped;
        idleArmed_ = false;
        inFlight_ = false;
        waitingForAck_ = false;
    }

    // -- Requests ------------------------------------------------------------

    /// The public request. Returns NotReady before init(), Offline after
    /// stop(), BadArgument for ordinal >= count.
    KDRV_NODISCARD Status changePowerStateTo(unsigned long ordinal)
    {
        const Status s = checkOrdinal(ordinal);
        if (s == Status::Success)
        {
            public_ = ordinal;
            requestChanged();
        }
        return s;
    }

    /// The private request, the driver's own floor. Same results.
    KDRV_NODISCARD Status changePowerStateToPriv(unsigned long ordinal)
    {
        const Status s = checkOrdinal(ordinal);
        if (s == Status::Success)
        {
            setPrivate(ordinal);
            requestChanged();
        }
        return s;
    }

    /// Private request for the highest state.
    KDRV_NODISCARD Status makeUsable()
    {
        return count_ == 0 ? changePowerStateToPriv(0) : changePowerStateToPriv(count_ - 1);
    }

    /// See the header comment. Returns true when no power change is needed:
    /// also for a type other than kPMSuperclassPolicy1, for stateNumber 0, for
    /// an ordinal >= count (BadArgument in *status), before init() (NotReady)
    /// and after stop() (Offline); none of these has any effect. status may
    /// be NULL.
    KDRV_INLINE bool activityTickle(unsigned long type, unsigned long stateNumber,
                                    Status* status = nullptr)
    {
        // The data path's case: a valid tickle at or below the cached level.
        if (KDRV_LIKELY(phase_ == Phase::Running && type == kPMSuperclassPolicy1 &&
                        stateNumber != 0 && tickleValid_ && stateNumber <= tickleLevel_))
        {
            activity_ = true;
            idleExhausted_ = false;
            if (status != nullptr)
            {
                *status = Status::Success;
            }
            return true;
        }
        return activityTickleSlow(type, stateNumber, status);
    }

    /// Seconds per idle period; 0 disables the timer. BadArgument above
    /// kPMMaxIdlePeriodSeconds. The first period starts when the device is at
    /// its desired state.
    KDRV_NODISCARD Status setIdleTimerPeriod(unsigned long seconds)
    {
        const Status s = checkRunning();
        if (s != Status::Success)
        {
            return s;
        }
        if (seconds > kPMMaxIdlePeriodSeconds)
        {
            return Status::BadArgument;
        }
        idlePeriod_ = static_cast<uint64_t>(seconds) * 1000000u;
        idleArmed_ = false;
        idleExhausted_ = false;
        service();
        return Status::Success;
    }

    // -- Power domain --------------------------------------------------------

    /// The children's aggregated request flags (0: no child needs power).
    KDRV_NODISCARD Status setChildPowerFlags(PowerFlags childFlags)
    {
        const Status s = checkRunning();
        if (s == Status::Success)
        {
            childNeed_ = index_.lowestStateWithOutputCharacter(childFlags);
            recompute();
            service();
        }
        return s;
    }

    /// The parent is about to supply `flags`. Lowering the cap takes effect
    /// now (the device is lowered before its parent); raising waits for
    /// parentPowerDidChange(). Returns Success when the device already fits
    /// `flags` (the parent may go ahead), Busy while a change must complete
    /// first (poll fitsParentPower(), or retry after powerChangeDone).
    KDRV_NODISCARD Status parentPowerWillChange(PowerFlags flags)
    {
        const Status s = checkRunning();
        if (s != Status::Success)
        {
            return s;
        }
        parentWill_ = flags;
        recompute();
        service();
        return fitsParentPower(flags) ? Status::Success : Status::Busy;
    }

    /// The parent now supplies `flags`. Returns Success, or NoPower if the
    /// parent removed power that the current state, or the state a change in
    /// flight is going to, still needs (the parent did not wait).
    KDRV_NODISCARD Status parentPowerDidChange(PowerFlags flags)
    {
        const Status s = checkRunning();
        if (s != Status::Success)
        {
            return s;
        }
        const bool fitted = stateFits(current_, flags) && (!inFlight_ || stateFits(target_, flags));
        parentWill_ = flags;
        parentDid_ = flags;
        recompute();
        service();
        return fitted ? Status::Success : Status::NoPower;
    }

    /// True if no change is in flight and the current state needs no power
    /// beyond `flags`: the parent may now supply only `flags`. Also true when
    /// the policy is not running (it no longer constrains the parent).
    bool fitsParentPower(PowerFlags flags) const
    {
        if (phase_ != Phase::Running)
        {
            return true;
        }
        return !inFlight_ && stateFits(current_, flags);
    }

    /// True if `state` needs no input power beyond `flags`.
    bool stateFits(unsigned long state, PowerFlags flags) const
    {
        if (state >= count_)
        {
            return false;
        }
        const PowerFlags need = table_[state].inputPowerRequirement;
        return (flags & need) == need;
    }

    /// System sleep forces state 0 whatever the requests; wake restores.
    KDRV_NODISCARD Status systemWillSleep() { return setSleeping(true); }
    KDRV_NODISCARD Status systemDidWake() { return setSleeping(false); }

    // -- Acknowledgement ------------------------------------------------------

    /// acknowledgeSetPowerState() for change `id` (from setPowerState()).
    PowerAck acknowledgeSetPowerState(PowerChangeId id)
    {
        if (phase_ != Phase::Running || id == 0 || id > lastId_)
        {
            ++stats_.unexpectedAcks;
            return PowerAck::Unexpected;
        }
        if (inFlight_ && id == changeId_)
        {
            if (ackArrived_)
            {
                ++stats_.duplicateAcks;
                return PowerAck::Duplicate;
            }
            ackArrived_ = true;
            service();
            return PowerAck::Accepted;
        }
        ChangeRecord* record = findRecord(id);
        if (record != nullptr && record->fate == Fate::Done)
        {
            ++stats_.duplicateAcks;
            return PowerAck::Duplicate;
        }
        if (record != nullptr)
        {
            record->fate = Fate::Done; // a second late ack is a duplicate
        }
        ++stats_.lateAcks;
        return PowerAck::Late;
    }

    /// I/O Kit's form, without an id: the change in flight, else the last one.
    PowerAck acknowledgeSetPowerState()
    {
        return acknowledgeSetPowerState(inFlight_ ? changeId_ : lastId_);
    }

    // -- Time ----------------------------------------------------------------

    /// Move the clock to nowMicros, firing due ack timeouts and idle periods
    /// in time order.
    void advance(uint64_t nowMicros)
    {
        if (phase_ != Phase::Running)
        {
            return;
        }
        // Each round handles one event; events are bounded by the table size.
        const unsigned long rounds = boundedRounds();
        for (unsigned long round = 0; round < rounds && now_ < nowMicros; ++round)
        {
            uint64_t next = nowMicros;
            if (inFlight_ && waitingForAck_ && ackDeadline_ < next)
            {
                next = ackDeadline_;
            }
            if (!inFlight_ && idleArmed_ && idleDeadline_ < next)
            {
                next = idleDeadline_;
            }
            if (next > now_)
            {
                now_ = next;
            }
            service();
        }
        if (now_ < nowMicros)
        {
            now_ = nowMicros;
        }
        service();
    }

    // -- Observers -----------------------------------------------------------

    unsigned long getPowerState() const { return current_; }
    unsigned long desiredPowerState() const { return desired_; }
    unsigned long publicRequest() const { return public_; }
    unsigned long privateRequest() const { return private_; }
    unsigned long childNeedState() const { return childNeed_; }
    unsigned long parentCapState() const { return parentCap_; }
    unsigned long stateCount() const { return count_; }
    bool isRunning() const { return phase_ == Phase::Running; }
    bool isSleeping() const { return sleeping_; }
    /// The cached tickle level, or kNoPowerState when there is none.
    unsigned long tickleLevel() const { return tickleValid_ ? tickleLevel_ : kNoPowerState; }
    bool activitySeen() const { return activity_; }
    /// The change in flight, 0 if none; its target.
    PowerChangeId changeInFlight() const { return inFlight_ ? changeId_ : 0; }
    unsigned long changeTarget() const { return target_; }
    /// True while a change waits for acknowledgeSetPowerState().
    bool awaitingAck() const { return inFlight_ && waitingForAck_; }
    uint64_t ackDeadline() const { return awaitingAck() ? ackDeadline_ : 0; }
    /// End of the current idle period, 0 if the timer is not running.
    uint64_t idleDeadline() const { return idleArmed_ ? idleDeadline_ : 0; }
    uint64_t nowMicros() const { return now_; }
    uint64_t idlePeriodMicros() const { return idlePeriod_; }
    const PowerPolicyStats& stats() const { return stats_; }
    const PowerState* table() const { return table_; }

    /// The model's own consistency; true unless there is a bug in it.
    bool invariantsHold() const
    {
        if (phase_ == Phase::Uninitialized)
        {
            return true;
        }
        const bool inRange = current_ < count_ && desired_ < count_ && public_ < count_ &&
                             private_ < count_ && childNeed_ < count_ && parentCap_ < count_ &&
                             target_ < count_;
        const bool tickleSane =
            !tickleValid_ || (tickleLevel_ <= private_ && tickleLevel_ <= desired_);
        const bool desiredSane = sleeping_ ? desired_ == 0 : desired_ <= parentCap_;
        return inRange && tickleSane && desiredSane;
    }

  private:
    // activityTickle() for every case but the data path's.
    KDRV_NOINLINE bool activityTickleSlow(unsigned long type, unsigned long stateNumber,
                                          Status* status)
    {
        Status result = Status::Success;
        bool noChange = true;
        if (phase_ != Phase::Running)
        {
            result = phase_ == Phase::Uninitialized ? Status::NotReady : Status::Offline;
        }
        else if (type != kPMSuperclassPolicy1)
        {
            result = Status::Unsupported;
        }
        else if (stateNumber >= count_)
        {
            result = Status::BadArgument;
        }
        else if (stateNumber != 0)
        {
            activity_ = true;
            idleExhausted_ = false;
            if (!tickleValid_ || stateNumber > tickleLevel_)
            {
                tickleValid_ = true;
                tickleLevel_ = stateNumber;
                if (stateNumber > private_)
                {
                    setPrivate(stateNumber);
                }
                recompute();
                service();
                noChange = false;
            }
        }
        if (status != nullptr)
        {
            *status = result;
        }
        return noChange;
    }

    enum class Phase : uint8_t
    {
        Uninitialized,
        Running,
        Stopped,
    };
    enum class Fate : uint8_t
    {
        Done,     // acknowledged, implied, or late-acknowledged
        TimedOut, // an acknowledgement would be late
    };
    struct ChangeRecord
    {
        PowerChangeId id;
        Fate fate;
    };

    KDRV_NODISCARD Status checkRunning() const
    {
        return phase_ == Phase::Running         ? Status::Success
               : phase_ == Phase::Uninitialized ? Status::NotReady
                                                : Status::Offline;
    }
    KDRV_NODISCARD Status checkOrdinal(unsigned long ordinal) const
    {
        const Status s = checkRunning();
        return s != Status::Success ? s : ordinal >= count_ ? Status::BadArgument : Status::Success;
    }

    void setPrivate(unsigned long ordinal)
    {
        if (ordinal > private_)
        {
            idleExhausted_ = false;
        }
        private_ = ordinal;
    }

    // A public or private request: forget the tickle level, then act.
    void requestChanged()
    {
        tickleValid_ = false;
        idleExhausted_ = false;
        recompute();
        service();
    }

    KDRV_NODISCARD Status setSleeping(bool sleeping)
    {
        const Status s = checkRunning();
        if (s == Status::Success)
        {
            sleeping_ = sleeping;
            idleArmed_ = false;
            recompute();
            service();
        }
        return s;
    }

    void recompute()
    {
        const PowerFlags parent = parentWill_ & parentDid_;
        parentCap_ = index_.highestStateForParentFlags(parent);
        unsigned long want = public_ > private_ ? public_ : private_;
        want = childNeed_ > want ? childNeed_ : want;
        want = want < parentCap_ ? want : parentCap_;
        // In a table whose input requirements do not rise with the index, a
        // state below the cap may still need more than the parent gives:
        // step down to one that fits (state 0 needs nothing, E3).
        while (want > 0 && !stateFits(want, parent))
        {
            --want;
        }
        desired_ = sleeping_ ? 0 : want;
        if (tickleValid_ && tickleLevel_ > desired_)
        {
            tickleValid_ = false; // the state cannot meet it; the next tickle must wait
        }
    }

    unsigned long boundedRounds() const { return 4 * count_ + 16; }

    // The one place that calls the driver. Never nested: a call made from a
    // driver callback only records its effect, and this loop acts on it.
    void service()
    {
        if (servicing_)
        {
            return;
        }
        servicing_ = true;
        const unsigned long rounds = boundedRounds();
        for (unsigned long round = 0; round < rounds && phase_ == Phase::Running; ++round)
        {
            if (inFlight_)
            {
                if (ackArrived_)
                {
                    complete(Fate::Done);
                }
                else if (now_ >= ackDeadline_)
                {
                    ++stats_.timeouts;
                    complete(Fate::TimedOut);
                }
                else
                {
                    break;
                }
                continue;
            }
            if (current_ != desired_)
            {
                start(desired_);
                continue;
            }
            // At the desired state: run the idle timer.
            if (idlePeriod_ == 0 || sleeping_ || idleExhausted_)
            {
                idleArmed_ = false;
                break;
            }
            if (!idleArmed_)
            {
                idleArmed_ = true;
                idleDeadline_ = addSaturating64(now_, idlePeriod_);
            }
            if (now_ < idleDeadline_)
            {
                break;
            }
            idlePeriodEnded();
        }
        servicing_ = false;
    }

    void idlePeriodEnded()
    {
        idleArmed_ = false; // restarted once the device is at its desired state
        if (activity_)
        {
            activity_ = false;
            return;
        }
        if (private_ == 0)
        {
            idleExhausted_ = true; // nothing left to lower until a request or tickle
            return;
        }
        --private_;
        if (tickleValid_ && tickleLevel_ > 0)
        {
            --tickleLevel_;
        }
        ++stats_.idleDrops;
        recompute();
    }

    void start(unsigned long target)
    {
        inFlight_ = true;
        ackArrived_ = false;
        waitingForAck_ = false;
        target_ = target;
        changeId_ = ++lastId_;
        ++stats_.changes;
        driver_->powerStateWillChangeTo(table_[target].capabilityFlags, target);
        const int32_t result = driver_->setPowerState(target, changeId_);
        if (!inFlight_)
        {
            return; // stopped from the callback
        }
        if (result > 0 && !ackArrived_)
        {
            uint64_t wait = static_cast<uint64_t>(result);
            wait = wait < kPMMinAckTimeoutMicros ? kPMMinAckTimeoutMicros : wait;
            wait = wait > kPMAckWatchdogMicros ? kPMAckWatchdogMicros : wait;
            waitingForAck_ = true;
            ackDeadline_ = addSaturating64(now_, wait);
        }
        else
        {
            ackArrived_ = true; // implied, negative, or acknowledged during the call
        }
    }

    void complete(Fate fate)
    {
        remember(changeId_, fate);
        inFlight_ = false;
        waitingForAck_ = false;
        ackArrived_ = false;
        const unsigned long previous = current_;
        current_ = target_;
        driver_->powerStateDidChangeTo(table_[current_].capabilityFlags, current_);
        driver_->powerChangeDone(previous);
    }

    void remember(PowerChangeId id, Fate fate)
    {
        history_[historyNext_].id = id;
        history_[historyNext_].fate = fate;
        historyNext_ = (historyNext_ + 1) % kPowerChangeHistory;
    }

    ChangeRecord* findRecord(PowerChangeId id)
    {
        for (unsigned long i = 0; i < kPowerChangeHistory; ++i)
        {
            if (history_[i].id == id)
            {
                return &history_[i];
            }
        }
        return nullptr;
    }

    const PowerState* table_;
    unsigned long count_;
    PowerDriver* driver_;
    PowerTableIndex index_;
    Phase phase_;

    unsigned long public_;
    unsigned long private_;
    unsigned long childNeed_;
    unsigned long parentCap_;
    PowerFlags parentWill_;
    PowerFlags parentDid_;
    unsigned long current_;
    unsigned long desired_;
    bool sleeping_;

    bool tickleValid_;
    unsigned long tickleLevel_;
    bool activity_;
    bool idleExhausted_;
    uint64_t idlePeriod_;
    bool idleArmed_;
    uint64_t idleDeadline_;
    uint64_t now_;

    bool inFlight_;
    bool ackArrived_;
    bool waitingForAck_;
    unsigned long target_;
    PowerChangeId changeId_;
    uint64_t ackDeadline_;
    PowerChangeId lastId_;
    ChangeRecord history_[kPowerChangeHistory];
    unsigned long historyNext_;
    bool servicing_;
    PowerPolicyStats stats_;
};
} // namespace kdrv

#endif // KDRV_POWER_POLICY_HPP
